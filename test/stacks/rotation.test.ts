import { strict as assert } from "assert";
import {
  DAY_MS,
  MAX_RETAIN,
  NOW_ENV,
  RotationSettings,
  deploymentTime,
  generationName,
  liveGenerations,
  parseInstant,
} from "../../stacks/rotation";
import { ConfigError } from "../../stacks/validation";

const EPOCH = "2025-01-01T00:00:00Z";
const at = (text: string) => new Date(text);
const settings = (overrides: Partial<RotationSettings> = {}): RotationSettings => ({
  epoch: EPOCH,
  periodDays: 30,
  retain: 2,
  ...overrides,
});

describe("key rotation", () => {
  const cases: {
    name: string;
    settings?: Partial<RotationSettings>;
    now: string;
    live: string[];
    next: string;
  }[] = [
    {
      name: "now == epoch: only generation 0",
      now: EPOCH,
      live: ["g0000"],
      next: "2025-01-31T00:00:00.000Z",
    },
    {
      name: "the last instant of the first period",
      now: "2025-01-30T23:59:59.999Z",
      live: ["g0000"],
      next: "2025-01-31T00:00:00.000Z",
    },
    {
      name: "the first instant of the second period adds generation 1",
      now: "2025-01-31T00:00:00Z",
      live: ["g0000", "g0001"],
      next: "2025-03-02T00:00:00.000Z",
    },
    {
      name: "the middle of the second period",
      now: "2025-02-15T12:00:00Z",
      live: ["g0000", "g0001"],
      next: "2025-03-02T00:00:00.000Z",
    },
    {
      name: "the third period drops generation 0",
      now: "2025-03-02T00:00:00Z",
      live: ["g0001", "g0002"],
      next: "2025-04-01T00:00:00.000Z",
    },
    {
      name: "retain 3 keeps three generations",
      settings: { retain: 3 },
      now: "2025-06-01T00:00:00Z",
      live: ["g0003", "g0004", "g0005"],
      next: "2025-06-30T00:00:00.000Z",
    },
    {
      name: "the largest retain keeps four generations",
      settings: { retain: MAX_RETAIN },
      now: "2025-12-31T00:00:00Z",
      live: ["g0009", "g0010", "g0011", "g0012"],
      next: "2026-01-26T00:00:00.000Z",
    },
    {
      // No deployment for 10 periods: the window moved past every key that exists; all are replaced.
      name: "a gap longer than retain periods gives only new generations",
      now: "2025-10-28T00:00:00Z",
      live: ["g0009", "g0010"],
      next: "2025-11-27T00:00:00.000Z",
    },
    {
      name: "daily periods a year and more on, names padded",
      settings: { periodDays: 1 },
      now: "2026-02-05T06:00:00Z",
      live: ["g0399", "g0400"],
      next: "2026-02-06T00:00:00.000Z",
    },
    {
      name: "an epoch with an offset moves the boundaries with it",
      settings: { epoch: "2025-01-01T00:00:00+02:00" },
      now: "2025-01-30T22:00:00Z",
      live: ["g0000", "g0001"],
      next: "2025-03-01T22:00:00.000Z",
    },
    {
      name: "a date-only epoch starts at midnight UTC",
      settings: { epoch: "2025-01-01" },
      now: EPOCH,
      live: ["g0000"],
      next: "2025-01-31T00:00:00.000Z",
    },
  ];
  for (const { name, settings: overrides, now, live, next } of cases) {
    it(`gives the live generations at ${name}`, () => {
      const plan = liveGenerations(settings(overrides), at(now));
      assert.deepEqual(
        plan.generations.map((g) => g.name),
        live,
      );
      assert.equal(plan.active.name, live[live.length - 1]);
      assert.equal(plan.nextRotation.toISOString(), next);
      assert.equal(plan.active.end.toISOString(), next);
    });
  }

  it("gives each generation the period it is active in", () => {
    const plan = liveGenerations(settings(), at("2025-03-10T00:00:00Z"));
    assert.deepEqual(
      plan.generations.map((g) => [g.index, g.start.toISOString(), g.end.toISOString()]),
      [
        [1, "2025-01-31T00:00:00.000Z", "2025-03-02T00:00:00.000Z"],
        [2, "2025-03-02T00:00:00.000Z", "2025-04-01T00:00:00.000Z"],
      ],
    );
  });

  const invalid: { name: string; settings: Partial<RotationSettings>; now?: string; message: RegExp }[] = [
    {
      name: "retain 1 (no overlap)",
      settings: { retain: 1 },
      message: /retain must be an integer between 2 and 4 \(got 1\)/,
    },
    {
      name: "retain beyond the key quota",
      settings: { retain: 5 },
      message: /retain must be an integer between 2 and 4 \(got 5\).*10 keys per service account/,
    },
    { name: "a fractional retain", settings: { retain: 2.5 }, message: /retain must be an integer/ },
    {
      name: "a zero period",
      settings: { periodDays: 0 },
      message: /periodDays must be an integer between 1 and 365 \(got 0\)/,
    },
    { name: "a fractional period", settings: { periodDays: 1.5 }, message: /periodDays must be an integer/ },
    {
      name: "a period over a year",
      settings: { periodDays: 366 },
      message: /periodDays must be an integer between 1 and 365/,
    },
    {
      name: "an epoch without a zone",
      settings: { epoch: "2025-01-01T00:00:00" },
      message: /epoch must be an ISO-8601/,
    },
    {
      name: "an impossible epoch date",
      settings: { epoch: "2025-02-30" },
      message: /epoch must be an ISO-8601/,
    },
    {
      name: "an epoch that is not a time",
      settings: { epoch: "yesterday" },
      message: /epoch must be an ISO-8601/,
    },
    {
      name: "now before the epoch",
      settings: {},
      now: "2024-12-31T23:59:59Z",
      message: /now \(2024-12-31T23:59:59.000Z\) is before the epoch/,
    },
    { name: "an invalid now", settings: {}, now: "not a time", message: /now must be a valid time/ },
  ];
  for (const { name, settings: overrides, now, message } of invalid) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => liveGenerations(settings(overrides), at(now ?? "2025-06-01T00:00:00Z")),
        (error: Error) => {
          assert.ok(error instanceof RangeError);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }

  it("reports every invalid setting at once", () => {
    assert.throws(
      () => liveGenerations({ epoch: "soon", periodDays: 0, retain: 1 }, at(EPOCH)),
      /epoch must be .*; periodDays must be .*; retain must be/,
    );
  });

  it("names generations so they sort by age", () => {
    assert.deepEqual(
      [generationName(0), generationName(42), generationName(12345)],
      ["g0000", "g0042", "g12345"],
    );
  });
});

describe("instants", () => {
  const valid: [string, string][] = [
    ["2025-01-01", "2025-01-01T00:00:00.000Z"],
    ["2025-01-01T10:30Z", "2025-01-01T10:30:00.000Z"],
    ["2025-01-01T10:30:15.250Z", "2025-01-01T10:30:15.250Z"],
    ["2025-01-01T02:00:00+02:00", "2025-01-01T00:00:00.000Z"],
    ["2024-02-29T00:00:00Z", "2024-02-29T00:00:00.000Z"],
  ];
  for (const [text, iso] of valid) {
    it(`reads ${text}`, () => assert.equal(parseInstant(text)?.toISOString(), iso));
  }
  for (const text of [
    "2025-1-1",
    "2025-02-29",
    "2025-01-01T25:00Z",
    "2025-01-01 00:00Z",
    "2025-01-01T00:00",
    "1735689600",
  ]) {
    it(`refuses ${JSON.stringify(text)}`, () => assert.equal(parseInstant(text), undefined));
  }

  it("plans as of FLINK_PIPELINE_NOW when it is set", () => {
    assert.equal(
      deploymentTime({ [NOW_ENV]: "2025-03-01T00:00:00Z" }).toISOString(),
      "2025-03-01T00:00:00.000Z",
    );
  });

  it("plans as of the clock when FLINK_PIPELINE_NOW is unset", () => {
    const clock = () => new Date(Date.UTC(2030, 0, 1));
    assert.equal(deploymentTime({}, clock).toISOString(), "2030-01-01T00:00:00.000Z");
  });

  it("stops the program on a malformed FLINK_PIPELINE_NOW", () => {
    assert.throws(
      () => deploymentTime({ [NOW_ENV]: "tomorrow" }),
      (error: Error) =>
        error instanceof ConfigError &&
        /FLINK_PIPELINE_NOW must be an ISO-8601 .* \(got "tomorrow"\)/.test(error.message),
    );
  });

  it("counts days in UTC milliseconds", () => assert.equal(DAY_MS, 86_400_000));
});
