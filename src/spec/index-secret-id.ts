/** Id of the build secret that carries the credentials a spec wrote for its index at `indexPosition`. */
export function inlineIndexSecretId(indexPosition: number): string {
  return `pyfront-index-${indexPosition}`;
}
