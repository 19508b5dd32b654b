import type { DocumentStore } from '@apollo/server';
import type { DocumentNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import { documentBytes } from '../limits/retained.js';

/**
 * Bytes of parsed documents each document cache keeps at most (HTTP's here, graphql-ws's in
 * documents.ts), estimated as src/limits/retained.ts does: the text plus about 320 bytes per
 * token, 96 per comment. An entry bigger than an eighth of it is not kept.
 */
export const DOCUMENT_CACHE_BYTES = 32 * 1024 * 1024;

/**
 * Apollo Server's `documentStore` (parsed, validated documents by query hash, as Apollo keeps
 * them) bounded by the bytes its documents hold. Apollo's default (InMemoryLRUCache, 30 MiB)
 * sizes a document by its JSON, which leaves out the text and every token the document keeps: a
 * 1.3 MB document of 650,000 comment lines (before comments counted against maxTokens) counted some 100
 * bytes and held 58 MB, and 15 such requests held 880 MB of heap.
 */
export class BoundedDocumentStore implements DocumentStore {
  private readonly cache: LRUCache<string, DocumentNode>;

  constructor(maxBytes = DOCUMENT_CACHE_BYTES) {
    this.cache = new LRUCache<string, DocumentNode>({
      maxSize: maxBytes,
      maxEntrySize: Math.ceil(maxBytes / 8),
      sizeCalculation: (document) => Math.max(1, documentBytes(document.loc?.source.body ?? '', document)),
    });
  }

  async get(key: string): Promise<DocumentNode | undefined> {
    return this.cache.get(key);
  }

  async set(key: string, value: DocumentNode): Promise<void> {
    this.cache.set(key, value);
  }

  async delete(key: string): Promise<boolean> {
    return this.cache.delete(key);
  }

  /** Bytes (estimated) the documents kept hold now; at most the store's maxBytes. */
  get bytes(): number {
    return this.cache.calculatedSize;
  }
}
