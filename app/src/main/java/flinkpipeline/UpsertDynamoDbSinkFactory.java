package flinkpipeline;

import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.connector.dynamodb.table.DynamoDbDynamicSinkFactory;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.factories.DynamicTableSinkFactory;

/**
 * Table connector {@code upsert-dynamodb}: the {@code dynamodb} connector, with its options, for a
 * query whose rows are updated. A group window that fires again for a late record retracts its
 * earlier row (UPDATE_BEFORE) and sends the new one (UPDATE_AFTER). The {@code dynamodb} connector
 * 4.3.0 throws on UPDATE_BEFORE ("Unsupported message kind", RowDataElementConverter), and Flink's
 * upsert materializer, the planner's other way to an upsert sink, turns an update into a DELETE the
 * connector sends with every attribute as its key, which DynamoDB refuses. A put of the UPDATE_AFTER
 * replaces the item whole, so this sink drops the UPDATE_BEFORE (see {@link UpsertDynamoDbSink}).
 */
public final class UpsertDynamoDbSinkFactory implements DynamicTableSinkFactory {
    public static final String IDENTIFIER = "upsert-dynamodb";

    private final DynamoDbDynamicSinkFactory dynamodb = new DynamoDbDynamicSinkFactory();

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return dynamodb.requiredOptions();
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return dynamodb.optionalOptions();
    }

    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        return new UpsertDynamoDbSink(dynamodb.createDynamicTableSink(context));
    }
}
