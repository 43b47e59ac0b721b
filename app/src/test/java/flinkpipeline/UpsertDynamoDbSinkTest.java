package flinkpipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

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
}
