import { knowledgeReachOf } from '../../src/domain/knowledge/knowledge-reach';

describe('the earliest knowledge time an event can change a view of', () => {
  const at = (text: string) => Date.parse(text);
  it.each([
    ['a claim: from its reportedAt', { type: 'ClaimReported', data: { reportedAt: '2024-10-17' } }, at('2024-10-17')],
    ['a retraction: from its reportedAt', { type: 'ClaimRetracted', data: { reportedAt: '2024-10-20T06:00:00Z' } }, at('2024-10-20T06:00:00Z')],
    ['a revision: from its reportedAt', { type: 'DevelopmentRevised', data: { reportedAt: '2024-10' } }, at('2024-10-31T23:59:59.999Z')],
    ['a rating: from its reportedAt', { type: 'SourceRated', data: { reportedAt: '2024-10-18' } }, at('2024-10-18')],
    ['a development recorded: none by itself (its first claim comes with it)', { type: 'DevelopmentRecorded', data: {} }, Number.POSITIVE_INFINITY],
    ['a claim corrected: every time (it may move the time it corrects)', { type: 'ClaimCorrected', data: { changes: {} } }, Number.NEGATIVE_INFINITY],
    ['a description corrected: every time', { type: 'DevelopmentCorrected', data: { changes: {} } }, Number.NEGATIVE_INFINITY],
    ['a source registered: every time (every view lists it)', { type: 'SourceRegistered', data: { sourceId: 's' } }, Number.NEGATIVE_INFINITY],
    ['an event of another type: every time', { type: 'SomethingNew', data: {} }, Number.NEGATIVE_INFINITY],
    ['a time that does not parse: every time', { type: 'ClaimReported', data: { reportedAt: 'soon' } }, Number.NEGATIVE_INFINITY],
  ])('%s', (_name, event, expected) => {
    expect(knowledgeReachOf(event)).toBe(expected);
  });
});
