package flinkpipeline;

import static flinkpipeline.TestPipelines.event;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.state.api.functions.KeyedStateBootstrapFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A savepoint in the state layout of release 1.0.0 of this job, written here with Flink's State
 * Processor API, restores into the current build (non-restored state not allowed) and its totals
 * go on counting. The layout below is frozen on purpose: it must not use RunningCount's constants,
 * so renaming a state, changing its type or dropping its TTL fails this test.
 */
class StateLayoutTest {
    private static final Duration FLUSH = Duration.ofMillis(300);

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension();

    /** Release 1.0.0: operator uid "running-count", value state "total" (Long, TTL OnCreateAndWrite). */
    static final class ReleaseOneLayout extends KeyedStateBootstrapFunction<String, Tuple2<String, Long>> {
        private static final long serialVersionUID = 1L;
        private transient ValueState<Long> total;

        @Override
        public void open(OpenContext context) {
            ValueStateDescriptor<Long> descriptor = new ValueStateDescriptor<>("total", Types.LONG);
            descriptor.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofDays(7))
                    .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                    .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                    .build());
            total = getRuntimeContext().getState(descriptor);
        }

        @Override
        public void processElement(Tuple2<String, Long> keyTotal, Context context) throws Exception {
            total.update(keyTotal.f1);
        }
    }

    @Test
    void aReleaseOneSavepointRestoresAndKeepsCounting(@InjectClusterClient ClusterClient<?> client,
            @TempDir Path directory) throws Exception {
        String savepoint = directory.resolve("release-1.0.0").toUri().toString();
        StreamExecutionEnvironment writer = StreamExecutionEnvironment.getExecutionEnvironment();
        writer.setRuntimeMode(RuntimeExecutionMode.BATCH);
        SavepointWriter.newSavepoint(writer, new HashMapStateBackend(), 128)
                .withOperator(OperatorIdentifier.forUid("running-count"),
                        OperatorTransformation
                                .bootstrapWith(writer.fromData(Tuple2.of("alpha", 1000L), Tuple2.of("beta", 5L)))
                                .keyBy(keyTotal -> keyTotal.f0, Types.STRING)
                                .transform(new ReleaseOneLayout()))
                .write(savepoint);
        writer.execute("write a release 1.0.0 savepoint");

        List<byte[]> records = new ArrayList<>();
        for (int i = 0; i < 3; i++) records.add(event("alpha"));
        records.add(event("beta"));
        records.add(event("new-key"));
        String runId = TestPipelines.newRun();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.enableCheckpointing(100);
        RunningTotalsJob.build(
                env.addSource(new TestPipelines.ReplayableSource(runId, records, 2), "test records",
                                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO)
                        .uid(RunningTotalsJob.SOURCE_UID),
                TestPipelines.config(FLUSH),
                new TestPipelines.ItemSink(runId));
        JobGraph job = env.getStreamGraph().getJobGraph();
        job.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));

        TestPipelines.runUntil(client, job, runId, Map.of("alpha", 1003L, "beta", 6L, "new-key", 1L), FLUSH);
    }
}
