package flinkpipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.apache.flink.table.api.ValidationException;

import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.types.RowKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class UpsertDynamoDbSinkTest {
    @ParameterizedTest
    @CsvSource({"INSERT, true", "UPDATE_BEFORE, false", "UPDATE_AFTER, true", "DELETE, true"})
    void keepsEveryRowButAnUpdatesRetraction(RowKind kind, boolean kept) {
        GenericRowData row = GenericRowData.ofKind(kind, 1L);
        assertEquals(kept, new UpsertDynamoDbSink.WithoutUpdateBefore().filter(row));
    }

    @Test
    void acceptsInsertsAndUpdatesButNoDeletes() {
        assertEquals(
                "[INSERT, UPDATE_BEFORE, UPDATE_AFTER]",
                UpsertDynamoDbSink.ACCEPTED.getContainedKinds().toString());
    }

    @Test
    void isFoundByItsIdentifier() {
        assertInstanceOf(
                UpsertDynamoDbSinkFactory.class,
                FactoryUtil.discoverFactory(
                        getClass().getClassLoader(), DynamicTableSinkFactory.class, "upsert-dynamodb"));
    }

    @ParameterizedTest
    @CsvSource(value = {"NULL", "1", "' 1 '"}, nullValues = "NULL")
    void sendsOneBatchAtATime(String given) {
        Map<String, String> options =
                given == null ? Map.of("table-name", "t") : Map.of("table-name", "t", "sink.requests.max-inflight", given);
        assertEquals(
                Map.of("table-name", "t", "sink.requests.max-inflight", "1"),
                UpsertDynamoDbSinkFactory.withOneRequestInFlight(options));
    }

    @Test
    void refusesMoreBatchesInFlight() {
        ValidationException refused =
                assertThrows(
                        ValidationException.class,
                        () -> UpsertDynamoDbSinkFactory.withOneRequestInFlight(Map.of("sink.requests.max-inflight", "50")));
        assertEquals(
                "upsert-dynamodb writes each item's updates in order: 'sink.requests.max-inflight' must be 1 (got '50')",
                refused.getMessage());
    }
}
