package flinkpipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.connector.dynamodb.sink.DynamoDbWriteRequestType;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class FeatureItemsTest {
    @Test
    void oneItemPerKeyUnderTheTablesAttributeNames() {
        PipelineConfig.Sink sink = new PipelineConfig.Sink("features", "us-east-1", "pk", "sk", "expires");
        FeatureItems items = new FeatureItems(sink, 7);
        long updatedAt = Instant.parse("2026-11-23T10:00:00.750Z").toEpochMilli();

        Map<String, AttributeValue> expected = new LinkedHashMap<>();
        expected.put("pk", AttributeValue.fromS("user-1"));
        expected.put("sk", AttributeValue.fromS("event_count_total"));
        expected.put("count", AttributeValue.fromN("42"));
        expected.put("updated_at", AttributeValue.fromS("2026-11-23T10:00:00Z"));
        expected.put("expires", AttributeValue.fromN(
                Long.toString(Instant.parse("2026-11-30T10:00:00Z").getEpochSecond())));
        var request = items.apply(new FeatureCount("user-1", 42, updatedAt), null);
        assertEquals(expected, request.getItem());
        assertEquals(DynamoDbWriteRequestType.PUT, request.getType());
    }
}
