package flinkpipeline;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The job's settings, read from the property groups the Pulumi program generates ({@code source},
 * {@code sink}), the stack's {@code job} group and, for local runs only, the {@code endpoints}
 * group. Nothing about the stream or the table is hard-coded.
 */
public final class PipelineConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The sort key value of every item this job writes. */
    public static final String FEATURE_NAME = "event_count_total";
    /** Item attributes the job always writes, besides the configurable key and TTL names. */
    public static final List<String> FIXED_ATTRIBUTES = List.of("count", "updated_at");

    static final List<String> INITIAL_POSITIONS = List.of("LATEST", "TRIM_HORIZON");
    static final List<String> ENDPOINT_NAMES = List.of("dynamodb", "kinesis", "secretsmanager", "ssm");
    static final List<String> JOB_KEYS = List.of("flush.seconds", "ttl.days", "input.format");

    public final Source source;
    public final Sink sink;
    public final Job job;
    public final Endpoints endpoints;

    public PipelineConfig(Source source, Sink sink, Job job, Endpoints endpoints) {
        this.source = source;
        this.sink = sink;
        this.job = job;
        this.endpoints = endpoints;
    }

    /** The Kinesis stream the job reads (the consumer addresses it by name; the ARN is checked against it). */
    public static final class Source implements Serializable {
        private static final long serialVersionUID = 1L;
        public final String streamName;
        public final String streamArn;
        public final String region;
        public final String initialPosition;
        /** Set: enhanced fan-out with this consumer; unset: polling. */
        public final Optional<String> efoConsumerName;

        public Source(String streamName, String streamArn, String region, String initialPosition,
                Optional<String> efoConsumerName) {
            this.streamName = streamName;
            this.streamArn = streamArn;
            this.region = region;
            this.initialPosition = initialPosition;
            this.efoConsumerName = efoConsumerName;
        }
    }

    /** The DynamoDB table and the names of its key and TTL attributes. */
    public static final class Sink implements Serializable {
        private static final long serialVersionUID = 1L;
        public final String tableName;
        public final String region;
        public final String partitionKey;
        public final String sortKey;
        public final String ttlAttribute;

        public Sink(String tableName, String region, String partitionKey, String sortKey, String ttlAttribute) {
            this.tableName = tableName;
            this.region = region;
            this.partitionKey = partitionKey;
            this.sortKey = sortKey;
            this.ttlAttribute = ttlAttribute;
        }
    }

    /** How often a key's total is written at most, and how long an untouched item lives. */
    public static final class Job implements Serializable {
        private static final long serialVersionUID = 1L;
        public final Duration flushInterval;
        public final int ttlDays;

        public Job(Duration flushInterval, int ttlDays) {
            this.flushInterval = flushInterval;
            this.ttlDays = ttlDays;
        }
    }

    /** Endpoint overrides for local emulators (group {@code endpoints}); empty on Managed Flink. */
    public static final class Endpoints implements Serializable {
        private static final long serialVersionUID = 1L;
        public final Optional<String> kinesis;
        public final Optional<String> dynamodb;

        public Endpoints(Optional<String> kinesis, Optional<String> dynamodb) {
            this.kinesis = kinesis;
            this.dynamodb = dynamodb;
        }
    }

    /** Validates every group and reports every problem at once. */
    public static PipelineConfig from(Map<String, Properties> groups) {
        List<String> problems = new ArrayList<>();
        Source source = readSource(group(groups, "source", true, problems), problems);
        Sink sink = readSink(group(groups, "sink", true, problems), problems);
        Job job = readJob(group(groups, "job", false, problems), problems);
        Endpoints endpoints = readEndpoints(group(groups, "endpoints", false, problems), problems);
        if (!problems.isEmpty()) {
            throw new ConfigException("invalid runtime properties:\n  - " + String.join("\n  - ", problems));
        }
        return new PipelineConfig(source, sink, job, endpoints);
    }

    private static Properties group(Map<String, Properties> groups, String id, boolean required, List<String> problems) {
        Properties group = groups.get(id);
        if (group == null) {
            if (required) problems.add("property group '" + id + "' is missing");
            return new Properties();
        }
        return group;
    }

    private static String value(Properties group, String name) {
        String value = group.getProperty(name);
        return value == null ? "" : value.trim();
    }

    private static String required(Properties group, String groupId, String name, List<String> problems) {
        String value = value(group, name);
        if (value.isEmpty()) problems.add("property '" + name + "' is missing from group '" + groupId + "'");
        return value;
    }

    private static String optional(Properties group, String name, String fallback) {
        String value = value(group, name);
        return value.isEmpty() ? fallback : value;
    }

    private static Source readSource(Properties group, List<String> problems) {
        String kind = optional(group, "kind", "kinesis");
        if (!kind.equals("kinesis")) {
            problems.add("property 'kind' in group 'source' is '" + kind
                    + "': the Java sample job reads Kinesis only (the PyFlink job in app/ reads Confluent Kafka too)");
            return new Source("", "", "", "LATEST", Optional.empty());
        }
        String streamName = required(group, "source", "stream.name", problems);
        String streamArn = required(group, "source", "stream.arn", problems);
        String region = required(group, "source", "aws.region", problems);
        if (!streamArn.isEmpty() && !streamName.isEmpty() && !region.isEmpty()) {
            checkStreamArn(streamArn, streamName, region, problems);
        }
        String initialPosition = optional(group, "initial.position", "LATEST");
        if (!INITIAL_POSITIONS.contains(initialPosition)) {
            problems.add("property 'initial.position' in group 'source' must be one of "
                    + String.join(", ", INITIAL_POSITIONS) + ", got '" + initialPosition + "'");
        }
        String consumer = value(group, "efo.consumer.name");
        return new Source(streamName, streamArn, region, initialPosition,
                consumer.isEmpty() ? Optional.empty() : Optional.of(consumer));
    }

    /** The connector takes only the ARN: catch an ARN that drifted from the name or region. */
    private static void checkStreamArn(String arn, String streamName, String region, List<String> problems) {
        String[] parts = arn.split(":", 6);
        if (parts.length != 6 || !parts[0].equals("arn") || !parts[2].equals("kinesis")) {
            problems.add("property 'stream.arn' in group 'source' is not a Kinesis stream ARN: '" + arn + "'");
        } else if (!parts[5].equals("stream/" + streamName)) {
            problems.add("property 'stream.arn' in group 'source' ('" + arn + "') does not name stream '"
                    + streamName + "' from property 'stream.name'");
        } else if (!parts[3].equals(region)) {
            problems.add("property 'stream.arn' in group 'source' is in region '" + parts[3]
                    + "' but property 'aws.region' is '" + region + "'");
        }
    }

    private static Sink readSink(Properties group, List<String> problems) {
        Sink sink = new Sink(
                required(group, "sink", "table.name", problems),
                required(group, "sink", "aws.region", problems),
                optional(group, "partition.key", "key"),
                optional(group, "sort.key", "featureName"),
                optional(group, "ttl.attribute", "ttl"));
        List<String> attributes = new ArrayList<>(List.of(sink.partitionKey, sink.sortKey, sink.ttlAttribute));
        attributes.addAll(FIXED_ATTRIBUTES);
        Set<String> clashes = new TreeSet<>();
        for (String name : attributes) {
            if (attributes.indexOf(name) != attributes.lastIndexOf(name)) clashes.add(name);
        }
        if (!clashes.isEmpty()) {
            problems.add("group 'sink' maps two item attributes to the same name: " + String.join(", ", clashes)
                    + " (the job also writes " + String.join(", ", FIXED_ATTRIBUTES) + ")");
        }
        return sink;
    }

    private static Job readJob(Properties group, List<String> problems) {
        if (group.containsKey("window.seconds")) {
            problems.add("property 'window.seconds' in group 'job' belongs to the windowed PyFlink job: "
                    + "the Java job keeps running totals and writes each key at most every 'flush.seconds'");
        }
        for (String name : new TreeSet<>(group.stringPropertyNames())) {
            if (!JOB_KEYS.contains(name) && !name.equals("window.seconds")) {
                problems.add("property '" + name + "' in group 'job' is not known; known: " + String.join(", ", JOB_KEYS));
            }
        }
        String format = optional(group, "input.format", "json");
        if (!format.equals("json")) {
            problems.add("property 'input.format' in group 'job' is '" + format + "': supported is json");
        }
        int flushSeconds = positive(group, "flush.seconds", 60, problems);
        int ttlDays = positive(group, "ttl.days", 7, problems);
        return new Job(Duration.ofSeconds(flushSeconds), ttlDays);
    }

    private static int positive(Properties group, String name, int fallback, List<String> problems) {
        String text = optional(group, name, Integer.toString(fallback));
        try {
            int number = Integer.parseInt(text);
            if (number > 0 && text.chars().allMatch(Character::isDigit)) return number;
        } catch (NumberFormatException tooLargeOrNotANumber) {
            // reported below
        }
        problems.add("property '" + name + "' in group 'job' must be a positive whole number, got '" + text + "'");
        return fallback;
    }

    private static Endpoints readEndpoints(Properties group, List<String> problems) {
        for (String name : new TreeSet<>(group.stringPropertyNames())) {
            if (!ENDPOINT_NAMES.contains(name)) {
                problems.add("property '" + name + "' in group 'endpoints' is not known; known: "
                        + String.join(", ", ENDPOINT_NAMES));
            }
        }
        return new Endpoints(endpoint(group, "kinesis", problems), endpoint(group, "dynamodb", problems));
    }

    private static Optional<String> endpoint(Properties group, String name, List<String> problems) {
        String url = value(group, name);
        if (url.isEmpty()) return Optional.empty();
        try {
            URI uri = new URI(url);
            if (Arrays.asList("http", "https").contains(uri.getScheme()) && uri.getHost() != null) {
                return Optional.of(url);
            }
        } catch (URISyntaxException invalid) {
            // reported below
        }
        problems.add("property '" + name + "' in group 'endpoints' must be an http(s) URL such as "
                + "http://127.0.0.1:4567, got '" + url + "'");
        return Optional.empty();
    }
}
