package flinkpipeline;

import java.util.Map;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.connector.sink.DataStreamSinkProvider;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.SinkV2Provider;
import org.apache.flink.table.connector.sink.abilities.SupportsPartitioning;
import org.apache.flink.table.data.RowData;
import org.apache.flink.types.RowKind;

/**
 * The {@code dynamodb} sink behind a filter that drops UPDATE_BEFORE rows. It accepts inserts and
 * both halves of an update, so the planner adds no upsert materializer; it refuses deletes when the
 * query is planned, because the connector would send one with every attribute as its key.
 */
final class UpsertDynamoDbSink implements DynamicTableSink, SupportsPartitioning {
    static final ChangelogMode ACCEPTED =
            ChangelogMode.newBuilder()
                    .addContainedKind(RowKind.INSERT)
                    .addContainedKind(RowKind.UPDATE_BEFORE)
                    .addContainedKind(RowKind.UPDATE_AFTER)
                    .build();

    private final DynamicTableSink dynamodb;

    UpsertDynamoDbSink(DynamicTableSink dynamodb) {
        this.dynamodb = dynamodb;
    }

    @Override
    public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
        return ACCEPTED;
    }

    @Override
    public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
        Sink<RowData> writer = ((SinkV2Provider) dynamodb.getSinkRuntimeProvider(context)).createSink();
        return new DataStreamSinkProvider() {
            @Override
            public DataStreamSink<?> consumeDataStream(ProviderContext provider, DataStream<RowData> rows) {
                SingleOutputStreamOperator<RowData> puts =
                        rows.filter(new WithoutUpdateBefore()).name("without UPDATE_BEFORE");
                provider.generateUid("without-update-before").ifPresent(puts::uid);
                DataStreamSink<RowData> written = puts.sinkTo(writer).name("DynamoDB writer");
                provider.generateUid("writer").ifPresent(written::uid);
                return written;
            }
        };
    }

    @Override
    public void applyStaticPartition(Map<String, String> partition) {
        ((SupportsPartitioning) dynamodb).applyStaticPartition(partition);
    }

    @Override
    public DynamicTableSink copy() {
        return new UpsertDynamoDbSink(dynamodb.copy());
    }

    @Override
    public String asSummaryString() {
        return UpsertDynamoDbSinkFactory.IDENTIFIER;
    }

    /** Keeps every row but an update's retraction: the put of its UPDATE_AFTER replaces the item. */
    static final class WithoutUpdateBefore implements FilterFunction<RowData> {
        @Override
        public boolean filter(RowData row) {
            return row.getRowKind() != RowKind.UPDATE_BEFORE;
        }
    }
}
