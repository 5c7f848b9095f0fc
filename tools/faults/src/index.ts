/** The fault suite's pipeline harness, for the soak and footprint benchmarks (tools/bench). */
export { GROUP_TOPICS, Pipeline, type PipelineOptions } from './pipeline';
export { PIPELINE_SERVICES, SERVICES, ServiceProcess, vmRssKb, type ServiceName } from './services';
export { PrivateStack, type StackPorts } from './stack';
export { TcpProxy } from './tcp-proxy';
export { readTruth, tally, type Tally, type Truth } from './truth';
