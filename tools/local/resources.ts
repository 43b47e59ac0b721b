/**
 * Creates on the emulators what the plan declares (stream, table with its TTL) and writes the job's
 * runtime properties: the plan's property groups plus the local `endpoints` overrides.
 */
import * as fs from "fs";
import { AwsEndpoint, callAws } from "./awsJson";
import { LocalPlan, LocalStream, LocalTable, PropertyGroup } from "./localPlan";
import { waitUntil } from "./processes";

export const ENDPOINTS_GROUP = "endpoints";

export async function createStream(kinesis: AwsEndpoint, stream: LocalStream): Promise<void> {
  await callAws(kinesis, "kinesis", "CreateStream", {
    StreamName: stream.name,
    ShardCount: stream.shardCount,
  });
  await waitUntil(
    `stream ${stream.name}`,
    async () =>
      (await callAws(kinesis, "kinesis", "DescribeStreamSummary", { StreamName: stream.name }))
        .StreamDescriptionSummary.StreamStatus === "ACTIVE",
    30_000,
  );
}

/** Creates the table with the plan's key schema (on-demand). */
export async function createTable(dynamodb: AwsEndpoint, table: LocalTable): Promise<void> {
  const keySchema = [{ AttributeName: table.partitionKey, KeyType: "HASH" }];
  if (table.sortKey) keySchema.push({ AttributeName: table.sortKey, KeyType: "RANGE" });
  await callAws(dynamodb, "dynamodb", "CreateTable", {
    TableName: table.name,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: table.attributes.map((attribute) => ({
      AttributeName: attribute.name,
      AttributeType: attribute.type,
    })),
    KeySchema: keySchema,
  });
  await waitUntil(
    `table ${table.name}`,
    async () =>
      (await callAws(dynamodb, "dynamodb", "DescribeTable", { TableName: table.name })).Table.TableStatus ===
      "ACTIVE",
    30_000,
  );
  // dynalite has no TimeToLive API (UnknownOperationException): expiry is the one table setting a
  // local run cannot reproduce. The job still writes the TTL attribute the plan names.
}

/** The plan's property groups with the `endpoints` group (service -> URL) added or replaced. */
export function localPropertyGroups(plan: LocalPlan, endpoints: Record<string, string>): PropertyGroup[] {
  const groups = plan.propertyGroups.filter((group) => group.PropertyGroupId !== ENDPOINTS_GROUP);
  return [...groups, { PropertyGroupId: ENDPOINTS_GROUP, PropertyMap: { ...endpoints } }];
}

/** `groups` with the `source` group's values in `overrides` replaced (the local broker and secret). */
export function withSourceOverrides(
  groups: PropertyGroup[],
  overrides: Record<string, string>,
): PropertyGroup[] {
  return groups.map((group) =>
    group.PropertyGroupId === "source"
      ? { PropertyGroupId: "source", PropertyMap: { ...group.PropertyMap, ...overrides } }
      : group,
  );
}

export function writeProperties(file: string, groups: PropertyGroup[]): void {
  fs.writeFileSync(file, JSON.stringify(groups, null, 2) + "\n");
}
