/**
 * AWS quotas a deployment fails on past them: the pack reports a resource over one, and the
 * components stay within them (components/flinkMonitoring.ts, components/stackMonitoring.ts).
 */

/** CloudWatch: a `DashboardBody` holds 0 to 500 widgets (CloudWatch API, Dashboard Body Structure). */
export const DASHBOARD_MAX_WIDGETS = 500;

/** SNS: a topic policy of at most "30 kb" (Amazon SNS policy quotas), read as 30,000 bytes. */
export const SNS_POLICY_MAX_BYTES = 30_000;

/** VPC: an endpoint policy of at most 20,480 characters, white space included (PrivateLink quotas; not adjustable). */
export const VPC_ENDPOINT_POLICY_MAX_CHARS = 20_480;
