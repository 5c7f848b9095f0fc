import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const WORKSPACE = path.resolve(__dirname, '../../..');

export interface TestInfra {
  kafkaBrokers: string;
  schemaRegistryUrl: string;
  databaseUrl: string;
  /** where the connection came from: env, containers or the local stack started by deploy/local/stack.sh */
  source: 'env' | 'containers' | 'local-stack';
  stop(): Promise<void>;
}

interface Stoppable {
  stop(): Promise<unknown>;
}

/**
 * Finds Kafka, the Schema Registry and PostgreSQL for integration tests, in this order:
 * 1. connection strings from the environment (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, TEST_DATABASE_URL);
 * 2. containers, when a container engine answers (testcontainers);
 * 3. the local processes of deploy/local/stack.sh (Kafka and Apicurio from Maven Central, local PostgreSQL).
 */
export async function resolveTestInfra(log: (msg: string) => void = () => undefined): Promise<TestInfra> {
  const { KAFKA_BROKERS, SCHEMA_REGISTRY_URL, TEST_DATABASE_URL } = process.env;
  if (KAFKA_BROKERS && SCHEMA_REGISTRY_URL && TEST_DATABASE_URL) {
    return {
      kafkaBrokers: KAFKA_BROKERS,
      schemaRegistryUrl: SCHEMA_REGISTRY_URL,
      databaseUrl: TEST_DATABASE_URL,
      source: 'env',
      stop: async () => undefined,
    };
  }
  if (process.env.TEST_INFRA !== 'local' && (await containerRuntimeAvailable())) {
    log('integration infra: starting containers');
    return startContainers();
  }
  log(
    `integration infra: ${process.env.TEST_INFRA === 'local' ? 'TEST_INFRA=local' : 'no container engine'}; using the local stack (deploy/local/stack.sh)`,
  );
  return startLocalStack();
}

export async function containerRuntimeAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function startLocalStack(): Promise<TestInfra> {
  const script = path.join(WORKSPACE, 'deploy/local/stack.sh');
  const { stdout } = await run('bash', [script, 'start'], {
    cwd: WORKSPACE,
    maxBuffer: 10 * 1024 * 1024,
  }).catch((err: { stderr?: string; message: string }) => {
    throw new Error(`the local stack did not start: ${err.stderr ?? err.message}`);
  });
  const env = Object.fromEntries(
    stdout
      .split('\n')
      .map((line) => line.match(/^([A-Z_]+)=(.*)$/))
      .filter((m): m is RegExpMatchArray => m !== null)
      .map((m) => [m[1], m[2]]),
  );
  return {
    kafkaBrokers: env.KAFKA_BROKERS,
    schemaRegistryUrl: env.SCHEMA_REGISTRY_URL,
    databaseUrl: env.TEST_DATABASE_URL,
    source: 'local-stack',
    // the stack is shared between runs; `npm test` stops it in CI (tools/scripts/test-all.sh)
    stop: async () => undefined,
  };
}

async function startContainers(): Promise<TestInfra> {
  const { GenericContainer, Network, Wait } = await import('testcontainers');
  const network = await new Network().start();
  const started: Stoppable[] = [];
  try {
    const pg = await new GenericContainer('postgres:16-alpine')
      .withNetwork(network)
      .withNetworkAliases('postgres')
      .withEnvironment({ POSTGRES_PASSWORD: 'postgres', POSTGRES_DB: 'connector_test' })
      .withExposedPorts(5432)
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .start();
    started.push(pg);
    const kafka = await new GenericContainer('apache/kafka:4.1.1')
      .withNetwork(network)
      .withExposedPorts({ container: 19092, host: 19092 })
      .withEnvironment({
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: 'PLAINTEXT://:19092,CONTROLLER://:9093',
        KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://127.0.0.1:19092',
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      })
      .withWaitStrategy(Wait.forListeningPorts())
      .start();
    started.push(kafka);
    const registry = await new GenericContainer('apicurio/apicurio-registry:3.3.3')
      .withExposedPorts(8080)
      .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080))
      .start();
    started.push(registry);
    return {
      kafkaBrokers: '127.0.0.1:19092',
      schemaRegistryUrl: `http://${registry.getHost()}:${registry.getMappedPort(8080)}/apis/ccompat/v7`,
      databaseUrl: `postgres://postgres:postgres@${pg.getHost()}:${pg.getMappedPort(5432)}/connector_test`,
      source: 'containers',
      stop: async () => {
        for (const c of started.reverse()) await c.stop();
        await network.stop();
      },
    };
  } catch (err) {
    for (const c of started.reverse()) await c.stop().catch(() => undefined);
    await network.stop().catch(() => undefined);
    throw err;
  }
}
