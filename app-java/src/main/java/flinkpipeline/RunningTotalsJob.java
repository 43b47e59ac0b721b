package flinkpipeline;

import com.amazonaws.services.kinesisanalytics.runtime.KinesisAnalyticsRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.aws.config.AWSConfigConstants;
import org.apache.flink.connector.dynamodb.sink.DynamoDbSink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.connectors.kinesis.FlinkKinesisConsumer;
import org.apache.flink.streaming.connectors.kinesis.config.ConsumerConfigConstants;

/**
 * Kinesis -> running total per key (keyed state) -> one DynamoDB item per key. Every name comes
 * from the runtime properties: {@code KinesisAnalyticsRuntime.getApplicationProperties()} on Managed
 * Flink, a local file with the same groups when {@code IS_LOCAL=true}.
 */
public final class RunningTotalsJob {
    /** Operator ids: a snapshot maps state to operators by these, so they must never change. */
    public static final String SOURCE_UID = "kinesis-source";
    public static final String PARSE_UID = "parse-events";
    public static final String COUNT_UID = "running-count";
    public static final String SINK_UID = "dynamodb-sink";

    /** Locally, this environment variable names the properties file (default: application_properties.json). */
    public static final String LOCAL_PROPERTIES_ENV = "APPLICATION_PROPERTIES";

    private RunningTotalsJob() {}

    public static void main(String[] args) throws Exception {
        PipelineConfig config = PipelineConfig.from(loadProperties(System.getenv()));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<byte[]> records = env
                .addSource(kinesisSource(config), "Kinesis " + config.source.streamName,
                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO)
                .uid(SOURCE_UID);
        build(records, config, dynamoDbSink(config));
        env.execute("running totals: " + config.source.streamName + " -> " + config.sink.tableName);
    }

    /** The job between its source and sink, so tests run it with their own. */
    public static void build(DataStream<byte[]> records, PipelineConfig config, Sink<FeatureCount> sink) {
        records.flatMap(new ParseEvents()).uid(PARSE_UID).name("parse events")
                .keyBy(key -> key)
                .process(new RunningCount(config.job.flushInterval, Duration.ofDays(config.job.ttlDays)))
                .uid(COUNT_UID).name("running count")
                .sinkTo(sink).uid(SINK_UID).name("DynamoDB " + config.sink.tableName);
    }

    static Map<String, Properties> loadProperties(Map<String, String> environment) throws IOException {
        boolean local = List.of("1", "true", "yes")
                .contains(environment.getOrDefault("IS_LOCAL", "").trim().toLowerCase());
        if (!local) return KinesisAnalyticsRuntime.getApplicationProperties();
        String override = environment.getOrDefault(LOCAL_PROPERTIES_ENV, "").trim();
        Path path = Paths.get(override.isEmpty() ? "application_properties.json" : override);
        if (!Files.isRegularFile(path)) {
            throw new ConfigException("runtime properties file " + path.toAbsolutePath() + " not found (set "
                    + LOCAL_PROPERTIES_ENV + " to the file the Pulumi program's groups are in)");
        }
        return KinesisAnalyticsRuntime.getApplicationProperties(path.toString());
    }

    static FlinkKinesisConsumer<byte[]> kinesisSource(PipelineConfig config) {
        return new FlinkKinesisConsumer<>(config.source.streamName, new RawBytes(), kinesisProperties(config));
    }

    static Properties kinesisProperties(PipelineConfig config) {
        Properties properties = new Properties();
        properties.setProperty(AWSConfigConstants.AWS_REGION, config.source.region);
        properties.setProperty(ConsumerConfigConstants.STREAM_INITIAL_POSITION, config.source.initialPosition);
        config.source.efoConsumerName.ifPresent(name -> {
            properties.setProperty(ConsumerConfigConstants.RECORD_PUBLISHER_TYPE,
                    ConsumerConfigConstants.RecordPublisherType.EFO.name());
            properties.setProperty(ConsumerConfigConstants.EFO_CONSUMER_NAME, name);
        });
        config.endpoints.kinesis.ifPresent(url -> properties.setProperty(AWSConfigConstants.AWS_ENDPOINT, url));
        return properties;
    }

    static DynamoDbSink<FeatureCount> dynamoDbSink(PipelineConfig config) {
        Properties properties = new Properties();
        properties.setProperty(AWSConfigConstants.AWS_REGION, config.sink.region);
        config.endpoints.dynamodb.ifPresent(url -> properties.setProperty(AWSConfigConstants.AWS_ENDPOINT, url));
        return DynamoDbSink.<FeatureCount>builder()
                .setTableName(config.sink.tableName)
                .setElementConverter(new FeatureItems(config.sink, config.job.ttlDays))
                // A batch keeps only the latest write per item: DynamoDB rejects a batch holding a key twice.
                .setOverwriteByPartitionKeys(List.of(config.sink.partitionKey, config.sink.sortKey))
                .setDynamoDbProperties(properties)
                .build();
    }
}
