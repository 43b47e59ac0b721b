package flinkpipeline;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.source.RichSourceFunction;

/** Test sources and sinks that let the job run under a real mini-cluster without AWS. */
final class TestPipelines {
    private TestPipelines() {}

    static PipelineConfig config(Duration flushInterval) {
        return new PipelineConfig(
                new PipelineConfig.Source("events", "arn:aws:kinesis:us-east-1:123456789012:stream/events",
                        "us-east-1", "LATEST", Optional.empty()),
                new PipelineConfig.Sink("features", "us-east-1", "key", "featureName", "ttl"),
                new PipelineConfig.Job(flushInterval, 7),
                new PipelineConfig.Endpoints(Optional.empty(), Optional.empty()));
    }

    static byte[] event(String key) {
        return ("{\"key\":\"" + key + "\",\"event_time\":\"2026-11-23T10:00:00Z\"}").getBytes(StandardCharsets.UTF_8);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Emits its records in order, one every {@code pauseMillis}, then stays idle until cancelled,
     * as a stream does. Its position is checkpointed, so a restore replays exactly what came after
     * the checkpoint.
     */
    static final class ReplayableSource extends RichSourceFunction<byte[]> implements CheckpointedFunction {
        private static final long serialVersionUID = 1L;
        /** Highest position a restore started from, per run id. */
        static final Map<String, Integer> RESTORED_AT = new ConcurrentHashMap<>();

        private final String runId;
        private final ArrayList<byte[]> records;
        private final long pauseMillis;
        private volatile boolean running = true;
        private int position;
        private transient ListState<Integer> positionState;

        ReplayableSource(String runId, List<byte[]> records, long pauseMillis) {
            this.runId = runId;
            this.records = new ArrayList<>(records);
            this.pauseMillis = pauseMillis;
        }

        @Override
        public void run(SourceContext<byte[]> context) throws InterruptedException {
            while (running) {
                synchronized (context.getCheckpointLock()) {
                    if (position < records.size()) {
                        context.collect(records.get(position));
                        position++;
                    }
                }
                Thread.sleep(position < records.size() ? pauseMillis : 20);
            }
        }

        @Override
        public void cancel() {
            running = false;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            positionState.update(List.of(position));
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            positionState = context.getOperatorStateStore()
                    .getListState(new ListStateDescriptor<>("position", Types.INT));
            for (Integer restored : positionState.get()) {
                position = restored;
                RESTORED_AT.merge(runId, restored, Math::max);
            }
        }
    }

    /** What a test sink received, per run id: every write, and the item each key ends up as. */
    static final class Received {
        final List<FeatureCount> writes = new CopyOnWriteArrayList<>();
        final Map<String, Long> items = new ConcurrentHashMap<>();
    }

    static final Map<String, Received> RECEIVED = new ConcurrentHashMap<>();
    private static final AtomicInteger RUNS = new AtomicInteger();

    static String newRun() {
        String runId = "run-" + RUNS.incrementAndGet();
        RECEIVED.put(runId, new Received());
        return runId;
    }

    /** Overwrites one item per key, as the DynamoDB sink does. */
    static final class ItemSink implements Sink<FeatureCount> {
        private static final long serialVersionUID = 1L;
        private final String runId;

        ItemSink(String runId) {
            this.runId = runId;
        }

        @Override
        @SuppressWarnings("deprecation") // Flink 1.20's Sink still declares this one abstract.
        public SinkWriter<FeatureCount> createWriter(InitContext context) {
            Received received = RECEIVED.get(runId);
            return new SinkWriter<>() {
                @Override
                public void write(FeatureCount element, Context context) {
                    received.writes.add(element);
                    received.items.put(element.key, element.count);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }

    /**
     * Submits the job, waits until the items equal {@code expected} and stay so for three flush
     * intervals (a late extra write would show), then cancels it.
     */
    static void runUntil(ClusterClient<?> client, JobGraph job, String runId, Map<String, Long> expected,
            Duration flushInterval) throws Exception {
        JobID id = client.submitJob(job).get();
        try {
            Received received = RECEIVED.get(runId);
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!received.items.equals(expected)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("items never reached " + expected + "; last " + received.items);
                }
                if (client.getJobStatus(id).get().isGloballyTerminalState()) {
                    throw new AssertionError("job ended with items " + received.items);
                }
                Thread.sleep(50);
            }
            Thread.sleep(flushInterval.toMillis() * 3);
            if (!received.items.equals(expected)) {
                throw new AssertionError("items moved past " + expected + " to " + received.items);
            }
        } finally {
            client.cancel(id).get();
        }
    }
}
