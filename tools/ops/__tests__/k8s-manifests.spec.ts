import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TOPIC_CATALOGUE } from '@connector/events';
import { K8S_DIR, REPO, loadValidator, manifests, type Manifest, type Validator } from '../src/k8s-validate';

/**
 * deploy/k8s checked with a kept validator (ajv over the Kubernetes and Strimzi schemas that
 * tools/scripts/ensure-k8s-schemas.sh resolves from Maven Central), then what the schemas cannot
 * say: probes and resources on every container, the migration Job before the Deployments, the
 * Kustomizations' references, the topics against the catalogue.
 */
type Json = Record<string, unknown>;
interface Container {
  name: string;
  image?: string;
  readinessProbe?: { httpGet?: { path?: string } };
  livenessProbe?: { httpGet?: { path?: string } };
  startupProbe?: unknown;
  resources?: { requests?: { cpu?: string; memory?: string }; limits?: { memory?: string } };
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
}
interface PodSpec {
  containers: Container[];
  restartPolicy?: string;
}

const KUSTOMIZE = new Set(['Kustomization', 'Component']);
const isPatch = (m: Manifest) => m.file.includes('overlays/') && !KUSTOMIZE.has(String(m.doc.kind));
const objects = () => manifests().filter((m) => !KUSTOMIZE.has(String(m.doc.kind)));
const ofKind = (kind: string) => objects().filter((m) => m.doc.kind === kind && !isPatch(m));
const podSpec = (m: Manifest) => ((m.doc.spec as Json).template as { spec: PodSpec }).spec;
const name = (m: Manifest) => (m.doc.metadata as { name: string }).name;

describe('Kubernetes manifests (deploy/k8s) against the Kubernetes and Strimzi schemas', () => {
  let validator: Validator;
  beforeAll(() => {
    execFileSync('bash', [join(REPO, 'tools/scripts/ensure-k8s-schemas.sh')], { stdio: 'ignore' });
    validator = loadValidator();
  }, 300_000);

  it('when every object of every file is validated, then each matches the schema of its kind', () => {
    const all = objects();
    expect(all.length).toBeGreaterThan(40);
    const problems = all.flatMap((m) =>
      validator.validate(m.doc).map((e) => `${m.file}#${m.index} ${String(m.doc.kind)}: ${e}`),
    );
    expect(problems).toEqual([]);
  });

  it('when a field is misspelt, a quantity is not one, or a required part is missing, then the validator says so', () => {
    const [deployment] = ofKind('Deployment');
    const broken = structuredClone(deployment.doc);
    const c = podSpec({ ...deployment, doc: broken }).containers[0] as unknown as Json;
    c.readinesProbe = c.readinessProbe;
    (c.resources as Json).requests = { cpu: { much: true } };
    expect(validator.validate(broken).join('\n')).toMatch(
      /readinesProbe[\s\S]*requests\/cpu|requests\/cpu[\s\S]*readinesProbe/,
    );
    const [topic] = ofKind('KafkaTopic');
    const badTopic = structuredClone(topic.doc);
    (badTopic.spec as Json).partitions = 'three';
    expect(validator.validate(badTopic)).not.toEqual([]);
    expect(validator.validate({ apiVersion: 'apps/v1', kind: 'Deploymnet' })).toEqual([
      'no schema for apps/v1/Deploymnet',
    ]);
  });

  it('when the Deployments are read, then every container has liveness, readiness and startup probes on the health endpoints, and CPU and memory requests and a memory limit', () => {
    const deployments = ofKind('Deployment');
    expect(deployments.map(name).sort()).toEqual(
      [
        'amazon-ingest',
        'erp-change-poller',
        'inventory-publisher',
        'operator-console',
        'sage-writer',
        'settlement-reconciler',
      ].sort(),
    );
    const problems: string[] = [];
    for (const d of deployments)
      for (const c of podSpec(d).containers) {
        const at = `${name(d)}/${c.name}`;
        if (c.readinessProbe?.httpGet?.path !== '/health/ready')
          problems.push(`${at}: readiness probe not on /health/ready`);
        if (c.livenessProbe?.httpGet?.path !== '/health/live')
          problems.push(`${at}: liveness probe not on /health/live`);
        if (!c.startupProbe) problems.push(`${at}: no startup probe`);
        if (!c.resources?.requests?.cpu || !c.resources.requests.memory)
          problems.push(`${at}: no CPU or memory request`);
        if (!c.resources?.limits?.memory) problems.push(`${at}: no memory limit`);
      }
    expect(problems).toEqual([]);
  });

  it('when the migrations run as a Job, then it runs before the Deployments and the services do not migrate themselves', () => {
    const [job] = ofKind('Job');
    expect(name(job)).toBe('connector-migrations');
    // Argo CD: a PreSync hook runs, and must succeed, before the Deployments are synced
    expect((job.doc.metadata as { annotations: Json }).annotations).toMatchObject({
      'argocd.argoproj.io/hook': 'PreSync',
      'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
    });
    const spec = job.doc.spec as { backoffLimit?: number; activeDeadlineSeconds?: number };
    expect(spec.backoffLimit).toBeGreaterThan(0);
    expect(spec.activeDeadlineSeconds).toBeGreaterThan(0);
    const pod = podSpec(job);
    expect(pod.restartPolicy).toBe('Never');
    const [migrate] = pod.containers;
    expect(migrate.resources?.requests?.cpu && migrate.resources.requests.memory).toBeTruthy();
    // the services' image and configuration, so it migrates the database they use
    const deployments = ofKind('Deployment');
    for (const d of deployments) expect(podSpec(d).containers[0].image).toBe(migrate.image);
    const services = deployments.filter((d) => name(d) !== 'operator-console');
    for (const d of services) expect(podSpec(d).containers[0].envFrom).toEqual(migrate.envFrom);
    // the console takes the same configuration and, from the services' secret, the same database,
    // but never the credentials key (it would decrypt the connections' credentials)
    const consoleContainer = podSpec(deployments.find((d) => name(d) === 'operator-console')!).containers[0];
    expect(consoleContainer.envFrom).toEqual(expect.arrayContaining([migrate.envFrom![0]]));
    const env = (consoleContainer as unknown as { env: Array<{ name: string; valueFrom?: Json }> }).env;
    expect(env.find((e) => e.name === 'DATABASE_URL')?.valueFrom).toEqual({
      secretKeyRef: { name: 'connector-secrets', key: 'DATABASE_URL' },
    });
    expect(env.map((e) => e.name)).not.toContain('CREDENTIALS_KEY');
    // the base turns migration at boot off; the production overlay brings the Job
    const kustomizations = manifests().filter((m) => m.doc.kind === 'Kustomization');
    const base = kustomizations.find((m) => m.file === 'deploy/k8s/base/kustomization.yaml')!;
    const literals = (base.doc.configMapGenerator as Array<{ literals: string[] }>)[0].literals;
    expect(literals).toContain('DATABASE_MIGRATE_ON_BOOT=false');
    const production = kustomizations.find(
      (m) => m.file === 'deploy/k8s/overlays/production/kustomization.yaml',
    )!;
    expect(production.doc.components).toContain('../../components/migrations-job');
    expect((production.doc.configMapGenerator as Array<{ literals: string[] }>)[0].literals).toContain(
      'DATABASE_MIGRATE_ON_BOOT=false',
    );
  });

  it('when a Kustomization names resources, components and patches, then they exist', () => {
    const missing: string[] = [];
    for (const k of manifests().filter((m) => KUSTOMIZE.has(String(m.doc.kind)))) {
      const dir = join(REPO, dirname(k.file));
      const refs = [
        ...((k.doc.resources as string[] | undefined) ?? []),
        ...((k.doc.components as string[] | undefined) ?? []),
        ...((k.doc.patches as Array<{ path?: string }> | undefined) ?? []).flatMap((p) =>
          p.path ? [p.path] : [],
        ),
      ];
      for (const r of refs)
        if (!/^https?:/.test(r) && !existsSync(join(dir, r))) missing.push(`${k.file}: ${r}`);
    }
    expect(missing).toEqual([]);
    expect(existsSync(K8S_DIR)).toBe(true);
  });

  it('when the KafkaTopics are compared with the topic catalogue, then every topic and DLQ is declared with its partitions and cleanup policy', () => {
    const topics = new Map(
      ofKind('KafkaTopic').map((t) => {
        const spec = t.doc.spec as { topicName: string; partitions: number; config: Record<string, unknown> };
        return [spec.topicName, spec] as const;
      }),
    );
    const problems: string[] = [];
    for (const t of TOPIC_CATALOGUE) {
      const k = topics.get(t.topic);
      if (!k) problems.push(`${t.topic}: no KafkaTopic`);
      else {
        if (k.partitions !== t.partitions)
          problems.push(`${t.topic}: ${k.partitions} partitions, catalogue ${t.partitions}`);
        if (k.config['cleanup.policy'] !== t.cleanupPolicy)
          problems.push(`${t.topic}: cleanup.policy ${String(k.config['cleanup.policy'])}`);
      }
      if (t.dlq && !topics.has(`${t.topic}.dlq`)) problems.push(`${t.topic}.dlq: no KafkaTopic`);
    }
    expect(problems).toEqual([]);
  });
});
