package flinkpipeline;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.dynamodb.table.DynamoDbDynamicSinkFactory;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.ObjectIdentifier;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
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
 * It also sends one BatchWriteItem at a time per subtask: two in flight can complete out of order,
 * and an item's earlier count then overwrote its later one (measured in test/local/backlog.test.ts).
 */
public final class UpsertDynamoDbSinkFactory implements DynamicTableSinkFactory {
    public static final String IDENTIFIER = "upsert-dynamodb";
    /** The async sink's option (flink-connector-base AsyncSinkConnectorOptions.MAX_IN_FLIGHT_REQUESTS). */
    static final String MAX_IN_FLIGHT = "sink.requests.max-inflight";

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
        ResolvedCatalogTable table =
                context.getCatalogTable().copy(withOneRequestInFlight(context.getCatalogTable().getOptions()));
        return new UpsertDynamoDbSink(dynamodb.createDynamicTableSink(withTable(context, table)));
    }

    /** The table's options with {@link #MAX_IN_FLIGHT} 1; any other value set is refused. */
    static Map<String, String> withOneRequestInFlight(Map<String, String> options) {
        String given = options.get(MAX_IN_FLIGHT);
        if (given != null && !given.trim().equals("1")) {
            throw new ValidationException(
                    IDENTIFIER + " writes each item's updates in order: '" + MAX_IN_FLIGHT
                            + "' must be 1 (got '" + given + "')");
        }
        Map<String, String> result = new HashMap<>(options);
        result.put(MAX_IN_FLIGHT, "1");
        return result;
    }

    private static Context withTable(Context context, ResolvedCatalogTable table) {
        return new Context() {
            @Override
            public ObjectIdentifier getObjectIdentifier() {
                return context.getObjectIdentifier();
            }

            @Override
            public ResolvedCatalogTable getCatalogTable() {
                return table;
            }

            @Override
            public Map<String, String> getEnrichmentOptions() {
                return context.getEnrichmentOptions();
            }

            @Override
            public ReadableConfig getConfiguration() {
                return context.getConfiguration();
            }

            @Override
            public ClassLoader getClassLoader() {
                return context.getClassLoader();
            }

            @Override
            public boolean isTemporary() {
                return context.isTemporary();
            }
        };
    }
}
