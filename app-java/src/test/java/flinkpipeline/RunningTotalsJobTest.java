package flinkpipeline;

import static flinkpipeline.TestPipelines.bytes;
import static flinkpipeline.TestPipelines.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.restartstrategy.RestartStrategies;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.time.Time;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The job under a real Flink mini-cluster, with a replayable test source and an item-overwriting test sink. */
class RunningTotalsJobTest {
    private static final Duration FLUSH = Duration.ofMillis(300);
    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
                    .build());

    private static JobGraph job(String runId, List<byte[]> records, MapFunction<byte[], byte[]> inFront) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(100);
        env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, Time.milliseconds(200)));
        DataStream<byte[]> source = env
                .addSource(new TestPipelines.ReplayableSource(runId, records, 2), "test records",
                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO)
                .setParallelism(1)
                .uid(RunningTotalsJob.SOURCE_UID);
        if (inFront != null) source = source.map(inFront).setParallelism(1).uid("fault-injection");
        RunningTotalsJob.build(source, TestPipelines.config(FLUSH), new TestPipelines.ItemSink(runId));
        return env.getStreamGraph().getJobGraph();
    }

    /** {@code counts} events per key, interleaved round-robin. */
    private static List<byte[]> events(Map<String, Integer> counts) {
        List<byte[]> records = new ArrayList<>();
        Map<String, Integer> left = new HashMap<>(counts);
        while (!left.isEmpty()) {
            for (String key : new ArrayList<>(left.keySet())) {
                records.add(event(key));
                if (left.merge(key, -1, Integer::sum) == 0) left.remove(key);
            }
        }
        return records;
    }

    private static Map<String, Long> totals(Map<String, Integer> counts) {
        Map<String, Long> totals = new HashMap<>();
        counts.forEach((key, count) -> totals.put(key, (long) count));
        return totals;
    }

    @Test
    void writesTheExactTotalOfEveryKey(@InjectClusterClient ClusterClient<?> client) throws Exception {
        Map<String, Integer> counts = Map.of("alpha", 7, "beta", 1, "gamma", 23, "ünïcode-ключ", 4);
        String runId = TestPipelines.newRun();
        TestPipelines.runUntil(client, job(runId, events(counts), null), runId, totals(counts), FLUSH);
    }

    @Test
    void aBurstOfOneKeyIsOneWritePerFlushNotOnePerEvent(@InjectClusterClient ClusterClient<?> client)
            throws Exception {
        List<byte[]> records = new ArrayList<>();
        for (int i = 0; i < 400; i++) records.add(event("hot"));
        records.add(event("cold"));
        String runId = TestPipelines.newRun();
        long started = System.currentTimeMillis();
        TestPipelines.runUntil(client, job(runId, records, null), runId, Map.of("hot", 400L, "cold", 1L), FLUSH);
        long elapsed = System.currentTimeMillis() - started;

        List<FeatureCount> hotWrites = new ArrayList<>();
        for (FeatureCount write : TestPipelines.RECEIVED.get(runId).writes) {
            if (write.key.equals("hot")) hotWrites.add(write);
        }
        // At most one write per flush interval, each a running total that only grows.
        assertTrue(hotWrites.size() <= elapsed / FLUSH.toMillis() + 1, "writes of 'hot': " + hotWrites.size());
        assertTrue(hotWrites.size() < 400 / 10, "writes of 'hot': " + hotWrites.size());
        for (int i = 1; i < hotWrites.size(); i++) {
            assertTrue(hotWrites.get(i).count > hotWrites.get(i - 1).count, "totals of 'hot': " + hotWrites);
            assertTrue(hotWrites.get(i).updatedAtMillis - hotWrites.get(i - 1).updatedAtMillis >= FLUSH.toMillis());
        }
    }

    @Test
    void dropsAndCountsMalformedRecords(@InjectClusterClient ClusterClient<?> client) throws Exception {
        List<byte[]> records = new ArrayList<>(List.of(
                event("good"),
                bytes("not json at all"),
                bytes("{\"key\": 42}"),
                bytes("{\"other\": \"field\"}"),
                bytes("{\"key\": \"\"}"),
                bytes("[\"key\", \"good\"]"),
                bytes("{\"key\": \"" + "k".repeat(2049) + "\"}"),
                new byte[] {(byte) 0xff, (byte) 0xfe, 0x00},
                new byte[0],
                bytes("{\"key\": \"good\""),
                event("good")));
        records.add(bytes("{\"key\": \"" + "k".repeat(2048) + "\"}"));
        String runId = TestPipelines.newRun();
        JobGraph job = job(runId, records, null);
        TestPipelines.runUntil(client, job, runId, Map.of("good", 2L, "k".repeat(2048), 1L), FLUSH);

        long dropped = REPORTER.getMetricsByGroup().entrySet().stream()
                .filter(group -> job.getJobID().toString().equals(group.getKey().getAllVariables().get("<job_id>")))
                .filter(group -> group.getKey().getMetricIdentifier(ParseEvents.DROPPED_RECORDS)
                        .endsWith(ParseEvents.METRIC_GROUP + "." + ParseEvents.DROPPED_RECORDS))
                .map(group -> group.getValue().get(ParseEvents.DROPPED_RECORDS))
                .filter(metric -> metric != null)
                .mapToLong(metric -> ((Counter) metric).getCount())
                .sum();
        assertEquals(9, dropped);
    }

    /** Fails the job once, after a checkpoint completed and more records have passed since. */
    static final class FailOnceAfterCheckpoint implements MapFunction<byte[], byte[]>, CheckpointListener {
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean FAILED = new AtomicBoolean();
        private boolean checkpointed;
        private int sinceCheckpoint;

        @Override
        public byte[] map(byte[] record) {
            if (checkpointed && ++sinceCheckpoint > 50 && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure");
            }
            return record;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointed = true;
        }
    }

    @Test
    void totalsSurviveARestartFromACheckpoint(@InjectClusterClient ClusterClient<?> client) throws Exception {
        Map<String, Integer> counts = Map.of("alpha", 300, "beta", 200, "gamma", 101);
        FailOnceAfterCheckpoint.FAILED.set(false);
        String runId = TestPipelines.newRun();
        TestPipelines.runUntil(client, job(runId, events(counts), new FailOnceAfterCheckpoint()), runId,
                totals(counts), FLUSH);

        assertTrue(FailOnceAfterCheckpoint.FAILED.get(), "the failure was never injected");
        int restoredAt = TestPipelines.ReplayableSource.RESTORED_AT.getOrDefault(runId, 0);
        assertTrue(restoredAt > 0 && restoredAt < 601, "restored from position " + restoredAt);
    }
}
