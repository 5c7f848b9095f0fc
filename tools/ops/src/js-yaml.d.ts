// js-yaml 3 comes with jest (@istanbuljs/load-nyc-config); the tests parse the manifests with it.
declare module 'js-yaml' {
  export function safeLoadAll(text: string): unknown[];
  export function safeLoad(text: string): unknown;
}
