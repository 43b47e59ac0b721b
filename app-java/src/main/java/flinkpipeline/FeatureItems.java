package flinkpipeline;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.dynamodb.sink.DynamoDbWriteRequest;
import org.apache.flink.connector.dynamodb.sink.DynamoDbWriteRequestType;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A {@link FeatureCount} as the DynamoDB item it overwrites: {@code <partition.key>} = the event
 * key, {@code <sort.key>} = {@value PipelineConfig#FEATURE_NAME}, {@code count}, {@code updated_at}
 * (ISO-8601 UTC) and {@code <ttl.attribute>} (epoch seconds, {@code ttl.days} after the update).
 */
public final class FeatureItems implements ElementConverter<FeatureCount, DynamoDbWriteRequest> {
    private static final long serialVersionUID = 1L;

    private final PipelineConfig.Sink sink;
    private final int ttlDays;

    public FeatureItems(PipelineConfig.Sink sink, int ttlDays) {
        this.sink = sink;
        this.ttlDays = ttlDays;
    }

    public Map<String, AttributeValue> item(FeatureCount feature) {
        Instant updatedAt = Instant.ofEpochMilli(feature.updatedAtMillis).truncatedTo(ChronoUnit.SECONDS);
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put(sink.partitionKey, AttributeValue.fromS(feature.key));
        item.put(sink.sortKey, AttributeValue.fromS(PipelineConfig.FEATURE_NAME));
        item.put("count", AttributeValue.fromN(Long.toString(feature.count)));
        item.put("updated_at", AttributeValue.fromS(updatedAt.toString()));
        item.put(sink.ttlAttribute, AttributeValue.fromN(
                Long.toString(updatedAt.plus(ttlDays, ChronoUnit.DAYS).getEpochSecond())));
        return item;
    }

    @Override
    public DynamoDbWriteRequest apply(FeatureCount feature, SinkWriter.Context context) {
        return DynamoDbWriteRequest.builder()
                .setType(DynamoDbWriteRequestType.PUT)
                .setItem(item(feature))
                .build();
    }
}
