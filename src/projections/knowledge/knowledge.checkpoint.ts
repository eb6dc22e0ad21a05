/** The knowledge projection's name: the key of its checkpoint row (read by queries that must know where the read model stands). */
export const KNOWLEDGE_PROJECTION = 'knowledge';
