package flinkpipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.flink.connector.aws.config.AWSConfigConstants;
import org.apache.flink.streaming.connectors.kinesis.config.ConsumerConfigConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PipelineConfigTest {
    private static final String ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/events";

    private static Properties group(String... pairs) {
        Properties properties = new Properties();
        for (int i = 0; i < pairs.length; i += 2) properties.setProperty(pairs[i], pairs[i + 1]);
        return properties;
    }

    /** The groups the Pulumi program generates for a Kinesis stack. */
    private static Map<String, Properties> generated() {
        Map<String, Properties> groups = new HashMap<>();
        groups.put("source", group("kind", "kinesis", "stream.name", "events", "stream.arn", ARN,
                "aws.region", "us-east-1", "initial.position", "TRIM_HORIZON"));
        groups.put("sink", group("table.name", "features", "aws.region", "us-east-1", "partition.key", "pk",
                "sort.key", "sk", "ttl.attribute", "expires"));
        return groups;
    }

    private static Map<String, Properties> with(String groupId, String name, String value) {
        Map<String, Properties> groups = generated();
        groups.computeIfAbsent(groupId, id -> new Properties()).setProperty(name, value);
        return groups;
    }

    @Test
    void readsTheGeneratedGroupsWithDefaultsForTheRest() {
        PipelineConfig config = PipelineConfig.from(generated());
        assertEquals("events", config.source.streamName);
        assertEquals("TRIM_HORIZON", config.source.initialPosition);
        assertEquals(Optional.empty(), config.source.efoConsumerName);
        assertEquals("pk", config.sink.partitionKey);
        assertEquals("sk", config.sink.sortKey);
        assertEquals("expires", config.sink.ttlAttribute);
        assertEquals(Duration.ofSeconds(60), config.job.flushInterval);
        assertEquals(7, config.job.ttlDays);
        assertEquals(Optional.empty(), config.endpoints.kinesis);
    }

    @Test
    void efoConsumerAndEndpointsReachTheConnectors() {
        Map<String, Properties> groups = with("source", "efo.consumer.name", "totals");
        groups.put("endpoints", group("kinesis", "http://127.0.0.1:4567", "dynamodb", "http://127.0.0.1:4568",
                "ssm", "http://127.0.0.1:5000"));
        PipelineConfig config = PipelineConfig.from(groups);
        Properties kinesis = RunningTotalsJob.kinesisProperties(config);
        assertEquals("EFO", kinesis.getProperty(ConsumerConfigConstants.RECORD_PUBLISHER_TYPE));
        assertEquals("totals", kinesis.getProperty(ConsumerConfigConstants.EFO_CONSUMER_NAME));
        assertEquals("http://127.0.0.1:4567", kinesis.getProperty(AWSConfigConstants.AWS_ENDPOINT));
        assertEquals("us-east-1", kinesis.getProperty(AWSConfigConstants.AWS_REGION));
        assertEquals(Optional.of("http://127.0.0.1:4568"), config.endpoints.dynamodb);
    }

    @Test
    void withoutEndpointsTheConnectorsUseTheRegionalOnes() {
        Properties kinesis = RunningTotalsJob.kinesisProperties(PipelineConfig.from(generated()));
        assertEquals(null, kinesis.getProperty(AWSConfigConstants.AWS_ENDPOINT));
        assertEquals(null, kinesis.getProperty(ConsumerConfigConstants.RECORD_PUBLISHER_TYPE));
    }

    static Stream<Arguments> invalid() {
        Map<String, Properties> noSource = generated();
        noSource.remove("source");
        Map<String, Properties> noTable = generated();
        noTable.get("sink").remove("table.name");
        return Stream.of(
                Arguments.of(noSource, "property group 'source' is missing"),
                Arguments.of(noTable, "property 'table.name' is missing from group 'sink'"),
                Arguments.of(with("source", "kind", "confluent"), "the Java sample job reads Kinesis only"),
                Arguments.of(with("source", "stream.arn", "arn:aws:kinesis:us-east-1:1:stream/other"),
                        "does not name stream 'events'"),
                Arguments.of(with("source", "stream.arn", "arn:aws:kinesis:eu-west-1:1:stream/events"),
                        "is in region 'eu-west-1'"),
                Arguments.of(with("source", "initial.position", "AT_TIMESTAMP"),
                        "must be one of LATEST, TRIM_HORIZON"),
                Arguments.of(with("sink", "sort.key", "count"), "maps two item attributes to the same name: count"),
                Arguments.of(with("job", "flush.seconds", "0"), "'flush.seconds' in group 'job' must be a positive"),
                Arguments.of(with("job", "ttl.days", "-3"), "'ttl.days' in group 'job' must be a positive"),
                Arguments.of(with("job", "ttl.days", "99999999999"), "'ttl.days' in group 'job' must be a positive"),
                Arguments.of(with("job", "window.seconds", "60"), "belongs to the windowed PyFlink job"),
                Arguments.of(with("job", "flush.secs", "60"), "'flush.secs' in group 'job' is not known"),
                Arguments.of(with("job", "input.format", "avro"), "supported is json"),
                Arguments.of(with("endpoints", "kinesis", "127.0.0.1:4567"), "must be an http(s) URL"),
                Arguments.of(with("endpoints", "s3", "http://127.0.0.1:1"), "'s3' in group 'endpoints' is not known"));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void refusesInvalidGroups(Map<String, Properties> groups, String expected) {
        ConfigException error = assertThrows(ConfigException.class, () -> PipelineConfig.from(groups));
        assertTrue(error.getMessage().contains(expected), error.getMessage());
    }

    @Test
    void reportsEveryProblemAtOnce() {
        Map<String, Properties> groups = with("job", "flush.seconds", "x");
        groups.get("job").setProperty("ttl.days", "y");
        String message = assertThrows(ConfigException.class, () -> PipelineConfig.from(groups)).getMessage();
        assertTrue(message.contains("'flush.seconds'") && message.contains("'ttl.days'"), message);
    }

    @Test
    void aLocalRunReadsTheFileNamedByTheEnvironment(@TempDir Path directory) throws Exception {
        Path file = directory.resolve("properties.json");
        Files.write(file, Files.readAllBytes(Paths.get("application_properties.json")));
        Map<String, Properties> groups = RunningTotalsJob.loadProperties(
                Map.of("IS_LOCAL", "true", RunningTotalsJob.LOCAL_PROPERTIES_ENV, file.toString()));
        PipelineConfig config = PipelineConfig.from(groups);
        assertEquals("flink-pipeline-java-dev-events", config.source.streamName);
        assertEquals(Duration.ofSeconds(60), config.job.flushInterval);
    }

    @Test
    void aLocalRunWithoutItsFileSaysWhichFile(@TempDir Path directory) {
        String missing = directory.resolve("absent.json").toString();
        ConfigException error = assertThrows(ConfigException.class, () -> RunningTotalsJob.loadProperties(
                Map.of("IS_LOCAL", "1", RunningTotalsJob.LOCAL_PROPERTIES_ENV, missing)));
        assertTrue(error.getMessage().contains(missing), error.getMessage());
        assertTrue(error.getMessage().contains(RunningTotalsJob.LOCAL_PROPERTIES_ENV), error.getMessage());
    }
}
