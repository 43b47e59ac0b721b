package flinkpipeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raw records to event keys. A record that is not a JSON object with a non-empty string {@code key}
 * of at most 2048 UTF-8 bytes (DynamoDB's partition key limit; a longer one would fail the whole
 * sink batch, on every restart) is dropped and counted in {@code kinesisanalytics.droppedRecords},
 * which Managed Flink publishes to CloudWatch. Nothing a producer writes can fail the job.
 */
public final class ParseEvents extends RichFlatMapFunction<byte[], String> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ParseEvents.class);

    public static final String METRIC_GROUP = "kinesisanalytics";
    public static final String DROPPED_RECORDS = "droppedRecords";
    public static final int MAX_KEY_BYTES = 2048;
    private static final ObjectMapper JSON = new ObjectMapper();

    private transient Counter dropped;

    @Override
    public void open(OpenContext context) {
        dropped = getRuntimeContext().getMetricGroup().addGroup(METRIC_GROUP).counter(DROPPED_RECORDS);
    }

    @Override
    public void flatMap(byte[] record, Collector<String> out) {
        Optional<String> key = eventKey(record);
        if (key.isPresent()) {
            out.collect(key.get());
        } else {
            dropped.inc();
            // The count is the signal; one debug line per record would flood the logs of a bad producer.
            LOG.debug("dropped a record of {} bytes: not a JSON object with a usable 'key'", record.length);
        }
    }

    /** The record's key, or empty if the record must be dropped. */
    public static Optional<String> eventKey(byte[] record) {
        JsonNode event;
        try {
            event = JSON.readTree(record);
        } catch (IOException | RuntimeException notJson) {
            return Optional.empty();
        }
        if (event == null || !event.isObject()) return Optional.empty();
        JsonNode key = event.get("key");
        if (key == null || !key.isTextual()) return Optional.empty();
        String text = key.textValue();
        if (text.isEmpty() || text.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) return Optional.empty();
        return Optional.of(text);
    }
}
