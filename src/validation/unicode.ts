import { domainToUnicode } from 'node:url';

export function toUnicode(name: string): string {
  return domainToUnicode(name) || name;
}
