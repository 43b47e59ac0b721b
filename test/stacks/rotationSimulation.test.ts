/**
 * A year of daily deployments of the `kafka-dev` stack. Every day is simulated with the pure
 * rotation function; the mock program runs on every rollover day, the day before each, and the
 * first day (a full daily run of the mock program takes minutes, so it is opt-in:
 * `SIMULATE_EVERY_DAY=1 npx mocha test/stacks/rotationSimulation.test.ts`).
 *
 * Each deployment is modelled as Pulumi runs it: new keys are created first, the secrets and the
 * application are updated, and keys no longer in the program are deleted last.
 */
import { strict as assert } from "assert";
import { DAY_MS, RotationSettings, liveGenerations } from "../../stacks/rotation";
import { generationOf, idOf, jobKeys, planKafka, propertyGroups, secretValue } from "../confluentHelpers";

const EPOCH = Date.parse("2025-01-01T00:00:00Z");
const DAYS = 365;
/** A deployment at 09:00 UTC each day. */
const deploymentAt = (day: number) => new Date(EPOCH + day * DAY_MS + 9 * 60 * 60 * 1000);

interface Step {
  day: number;
  /** Generations the program declares after this deployment. */
  planned: string[];
  /** Generations that exist while the deployment runs (old ones not yet deleted). */
  during: string[];
  /** Generation the running job used before this deployment. */
  previousActive?: string;
  active: string;
  /** Day each live generation's keys were created. */
  createdOn: Map<string, number>;
}

/** Replays daily deployments with the pure function. */
function simulate(settings: RotationSettings, days: number): Step[] {
  const steps: Step[] = [];
  let existing = new Map<string, number>();
  let active: string | undefined;
  for (let day = 0; day < days; day++) {
    const plan = liveGenerations(settings, deploymentAt(day));
    const planned = plan.generations.map((g) => g.name);
    const during = [...new Set([...existing.keys(), ...planned])].sort();
    const createdOn = new Map(planned.map((name) => [name, existing.get(name) ?? day]));
    steps.push({ day, planned, during, previousActive: active, active: plan.active.name, createdOn });
    existing = createdOn;
    active = plan.active.name;
  }
  return steps;
}

function periodStart(settings: RotationSettings, day: number): boolean {
  return day > 0 && day % settings.periodDays === 0;
}

const EVERY_DAY = process.env.SIMULATE_EVERY_DAY === "1";

describe("a year of daily deployments", function () {
  this.timeout(EVERY_DAY ? 1_800_000 : 120_000);
  const settingsList: RotationSettings[] = [
    { epoch: "2025-01-01T00:00:00Z", periodDays: 30, retain: 2 },
    { epoch: "2025-01-01T00:00:00Z", periodDays: 7, retain: 3 },
    { epoch: "2025-01-01T00:00:00Z", periodDays: 1, retain: 2 },
    { epoch: "2025-01-01T00:00:00Z", periodDays: 90, retain: 4 },
  ];

  for (const settings of settingsList) {
    const label = `every ${settings.periodDays} days, retaining ${settings.retain}`;
    const steps = simulate(settings, DAYS);

    it(`keeps a key older than a day live at every step (${label})`, () => {
      for (const step of steps.slice(1)) {
        const ages = [...step.createdOn.values()].map((created) => step.day - created);
        assert.ok(
          ages.some((age) => age >= 1),
          `day ${step.day}: live keys are all new (${step.planned})`,
        );
      }
    });

    it(`never exceeds retain keys, or retain + 1 during a rollover (${label})`, () => {
      for (const step of steps) {
        assert.ok(
          step.planned.length <= settings.retain,
          `day ${step.day}: ${step.planned.length} keys declared`,
        );
        const rollover = step.previousActive !== undefined && step.previousActive !== step.active;
        assert.ok(
          step.during.length <= settings.retain + (rollover ? 1 : 0),
          `day ${step.day}: ${step.during.length} keys exist during the deployment`,
        );
        // Two keys per generation (Kafka + Schema Registry) within Confluent's 10 per service account.
        assert.ok(step.during.length * 2 <= 10, `day ${step.day}: over the service account's key quota`);
      }
    });

    it(`keeps the running job's key through every rollover and activates the newest (${label})`, () => {
      for (const step of steps) {
        assert.equal(
          step.active,
          step.planned[step.planned.length - 1],
          `day ${step.day}: active is not the newest`,
        );
        if (step.previousActive !== undefined) {
          assert.ok(
            step.planned.includes(step.previousActive),
            `day ${step.day}: ${step.previousActive} deleted while in use`,
          );
        }
      }
    });

    it(`keeps names stable within a period and rotates at each boundary (${label})`, () => {
      let rotations = 0;
      for (const step of steps.slice(1)) {
        const previous = steps[step.day - 1];
        if (periodStart(settings, step.day)) {
          rotations++;
          assert.notEqual(step.active, previous.active, `day ${step.day}: no rotation at a period start`);
        } else {
          assert.deepEqual(step.planned, previous.planned, `day ${step.day}: names changed within a period`);
        }
      }
      assert.equal(rotations, Math.floor((DAYS - 1) / settings.periodDays));
    });
  }

  describe("with the mock program", () => {
    const settings = settingsList[0];
    const steps = simulate(settings, DAYS);
    const everyDay = EVERY_DAY;
    const sampled = steps.filter(
      (step) =>
        everyDay || step.day === 0 || periodStart(settings, step.day) || periodStart(settings, step.day + 1),
    );
    const overrides = { flink: { artifact: "s3://team-artifacts/flink/job.zip" } };

    it(`deploys as the pure function says on ${everyDay ? "every day" : "each rollover day, the day before, and day 0"}`, async () => {
      const started = Date.now();
      let previous: { day: number; kafka: string[] } | undefined;
      for (const step of sampled) {
        const result = await planKafka(deploymentAt(step.day).toISOString(), { overrides });
        const kafkaKeys = jobKeys(result, "kafka");
        const registryKeys = jobKeys(result, "sr");
        const names = kafkaKeys.map(generationOf);
        assert.deepEqual(names, step.planned, `day ${step.day}: program and pure function disagree`);
        assert.deepEqual(
          registryKeys.map(generationOf),
          step.planned,
          `day ${step.day}: Schema Registry keys`,
        );

        // The secrets, and the application's property, carry the newest generation.
        const newest = kafkaKeys[kafkaKeys.length - 1];
        const newestRegistry = registryKeys[registryKeys.length - 1];
        assert.equal(generationOf(newest), step.active);
        const kafka = secretValue(result, "/kafka_cluster/java_client");
        assert.match(kafka["sasl.jaas.config"], new RegExp(`username='${idOf(newest)}'`), `day ${step.day}`);
        const registry = secretValue(result, "/schema_registry_cluster/java_client");
        assert.ok(registry["basic.auth.user.info"].startsWith(`${idOf(newestRegistry)}:`), `day ${step.day}`);
        assert.equal(propertyGroups(result).source["api.key.id"], idOf(newest), `day ${step.day}`);

        // Within a period, a later deployment declares exactly the same keys.
        const period = (day: number) => Math.floor(day / settings.periodDays);
        if (previous && period(previous.day) === period(step.day)) {
          assert.deepEqual(names, previous.kafka, `day ${step.day}: names changed within a period`);
        }
        previous = { day: step.day, kafka: names };
      }
      const perRun = (Date.now() - started) / sampled.length;
      assert.ok(sampled.length >= (everyDay ? DAYS : 25), `only ${sampled.length} deployments ran`);
      // Printed so the cost of a daily run can be judged; not an assertion.
      console.log(`      ${sampled.length} mock deployments, ${perRun.toFixed(0)} ms each`);
    });
  });
});
