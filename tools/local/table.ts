/** Reads the sink table back as plain JSON items (numbers as numbers). */
import { AwsEndpoint, callAws } from "./awsJson";

export type PlainValue = string | number | boolean | null | PlainValue[] | { [name: string]: PlainValue };

/** A DynamoDB AttributeValue as a plain JSON value. */
export function plainValue(value: Record<string, any>): PlainValue {
  if ("S" in value) return value.S;
  if ("N" in value) return Number(value.N);
  if ("BOOL" in value) return value.BOOL;
  if ("NULL" in value) return null;
  if ("L" in value) return value.L.map(plainValue);
  if ("M" in value) return plainItem(value.M);
  if ("SS" in value) return [...value.SS];
  if ("NS" in value) return value.NS.map(Number);
  if ("B" in value) return value.B;
  throw new Error(`unsupported attribute value ${JSON.stringify(value)}`);
}

export function plainItem(item: Record<string, any>): { [name: string]: PlainValue } {
  return Object.fromEntries(
    Object.keys(item)
      .sort()
      .map((name) => [name, plainValue(item[name])]),
  );
}

/** Every item of the table (a full Scan, following LastEvaluatedKey). */
export async function scanItems(
  dynamodb: AwsEndpoint,
  tableName: string,
): Promise<{ [name: string]: PlainValue }[]> {
  const items: { [name: string]: PlainValue }[] = [];
  let startKey: unknown;
  do {
    const page = await callAws(dynamodb, "dynamodb", "Scan", {
      TableName: tableName,
      ConsistentRead: true,
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    });
    items.push(...page.Items.map(plainItem));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
