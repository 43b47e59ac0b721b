/**
 * The package's entry point for other Pulumi programs (`import { FlinkPipeline } from
 * "flink-pipeline"`): the pipeline component, the shared pieces it takes, and the reader that
 * turns config-shaped sections into its validated arguments. (This project's own program is index.ts.)
 */
export { ArtifactBucket } from "./components/artifactBucket";
export type { ArtifactBucketArgs } from "./components/artifactBucket";
export { ConfluentManager } from "./components/confluentManager";
export type { ConfluentManagerArgs } from "./components/confluentManager";
export { FlinkPipeline } from "./components/flinkPipeline";
export type { FlinkPipelineArgs, PipelineOutputs } from "./components/flinkPipeline";
export { PipelineNetwork } from "./components/network";
export type { PipelineNetworkArgs } from "./components/network";
export { StackMonitoring } from "./components/stackMonitoring";
export type { StackMonitoringArgs } from "./components/stackMonitoring";
export { pipelineConfig } from "./stacks/config";
export type { PipelineConfig } from "./stacks/config";
export { monitoringArgs } from "./stacks/monitoring";
export { ConfigError } from "./stacks/validation";
