/**
 * Runtime property groups: generated from the wiring so stream, table and bucket names live in one
 * place, then merged with the stack's own `flink.properties`. The job reads them with
 * `KinesisAnalyticsRuntime.getApplicationProperties()` (Java) or
 * `/etc/flink/application_properties.json` (PyFlink).
 */
import * as pulumi from "@pulumi/pulumi";

/** The group a PyFlink application reads its entry point and connector jar from. */
export const RUN_OPTIONS_GROUP = "kinesis.analytics.flink.run.options";

/** The keys the program writes, per group; a stack's `flink.properties` may not set them. */
export const GENERATED_PROPERTIES = {
  source: [
    "kind",
    "stream.name",
    "stream.arn",
    "aws.region",
    "initial.position",
    "efo.consumer.name",
    // source.kind confluent: where to connect and where to read the credentials, never a credential.
    "bootstrap.servers",
    "topics",
    "sink.topics",
    "group.id",
    "starting.offsets",
    "kafka.secret.arn",
    "schema.registry.secret.arn",
    "consumer.parameters.path",
    "producer.parameters.path",
    "api.key.id",
  ],
  sink: ["table.name", "aws.region", "partition.key", "sort.key", "ttl.attribute"],
  [RUN_OPTIONS_GROUP]: ["python", "jarfile", "pyFiles"],
} as const;

export type GeneratedGroupId = keyof typeof GENERATED_PROPERTIES;

/** Managed Flink accepts at most this many property groups per application. */
export const MAX_PROPERTY_GROUPS = 50;

/** Properties of one generated group; keys outside {@link GENERATED_PROPERTIES} do not compile. */
export type GeneratedGroup<G extends GeneratedGroupId> = Partial<
  Record<(typeof GENERATED_PROPERTIES)[G][number], pulumi.Input<string>>
>;

export type GeneratedGroups = { [G in GeneratedGroupId]?: GeneratedGroup<G> };

export interface PropertyGroup {
  propertyGroupId: string;
  propertyMap: Record<string, string>;
}

/**
 * Generated groups plus the stack's groups, sorted by id for a stable plan. Keys the stack sets
 * in a generated group are added to it (validation already rejected overrides).
 */
export function mergePropertyGroups(
  generated: GeneratedGroups,
  stackProperties: Record<string, Record<string, string>>,
): pulumi.Output<PropertyGroup[]> {
  const generatedIds = Object.keys(generated).filter((id) => generated[id as GeneratedGroupId] !== undefined);
  const ids = [...new Set([...generatedIds, ...Object.keys(stackProperties)])].sort();
  return pulumi.all(
    ids.map((id) =>
      pulumi
        .all({ ...(generated as Record<string, Record<string, pulumi.Input<string>>>)[id] })
        .apply((values) => ({
          propertyGroupId: id,
          propertyMap: { ...dropUndefined(values), ...stackProperties[id] },
        })),
    ),
  );
}

function dropUndefined(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
