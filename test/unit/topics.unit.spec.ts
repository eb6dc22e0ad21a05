import { inAnyTopic, parseTopicList, topicCounts, topicCountsOf, topicKey } from '../../src/domain/knowledge/topics';

describe('topics are matched ignoring case', () => {
  it.each([
    ['Harbour', 'harbour'],
    ['HARBOUR', 'harbour'],
    ['north-korea-russia', 'north-korea-russia'],
    ['Ærø', 'ærø'],
    ['ΣΟΦΙΑ', 'σοφια'],
  ])('%s has the key %s', (topic, key) => {
    expect(topicKey(topic)).toBe(key);
  });

  it.each<[string, readonly string[] | undefined, readonly string[], boolean]>([
    ['a topic in another case', ['Harbour'], ['HARBOUR'], true],
    ['any of several asked', ['fire'], ['ferry', 'Fire'], true],
    ['none of those asked', ['fire'], ['ferry', 'harbour'], false],
    ['a description without topics', undefined, ['fire'], false],
    ['a topic that only contains the asked one', ['harbour-fire'], ['fire'], false],
  ])('%s: %p asked %p → %p', (_name, topics, asked, expected) => {
    expect(inAnyTopic(topics, asked)).toBe(expected);
  });
});

describe('topic=a,b', () => {
  it.each<[string, string, string[] | undefined]>([
    ['one topic', 'troops', ['troops']],
    ['several, trimmed', 'troops, Ukraine ,ships', ['troops', 'Ukraine', 'ships']],
    ['an empty item', 'troops,,ships', undefined],
    ['a blank item', 'troops, ', undefined],
    ['only a comma', ',', undefined],
    ['20 topics', Array.from({ length: 20 }, (_, i) => `t${i}`).join(','), Array.from({ length: 20 }, (_, i) => `t${i}`)],
    ['21 topics', Array.from({ length: 21 }, (_, i) => `t${i}`).join(','), undefined],
    ['a topic of 200 characters', 'x'.repeat(200), ['x'.repeat(200)]],
    ['a topic of 201 characters', 'x'.repeat(201), undefined],
  ])('%s', (_name, text, expected) => {
    expect(parseTopicList(text)).toEqual(expected);
  });
});

describe('topic counts', () => {
  it('groups spellings under one key, shows the most used spelling, and sorts by key', () => {
    const spellings = [
      { topic: 'troops', developments: 3 },
      { topic: 'Troops', developments: 1 },
      { topic: 'ships', developments: 2 },
      { topic: 'Aid', developments: 1 },
    ];
    expect(topicCounts(spellings, new Map([['troops', 4], ['ships', 2], ['aid', 1]]))).toEqual([
      { topic: 'Aid', developments: 1 },
      { topic: 'ships', developments: 2 },
      { topic: 'troops', developments: 4 },
    ]);
  });

  it('breaks a tie of spellings by code-unit order, whatever the input order', () => {
    const totals = new Map([['harbour', 2]]);
    const expected = [{ topic: 'Harbour', developments: 2 }];
    expect(topicCounts([{ topic: 'harbour', developments: 1 }, { topic: 'Harbour', developments: 1 }], totals)).toEqual(expected);
    expect(topicCounts([{ topic: 'Harbour', developments: 1 }, { topic: 'harbour', developments: 1 }], totals)).toEqual(expected);
  });

  it('counts a development once per key, even when it spells the topic two ways', () => {
    expect(
      topicCountsOf([
        { id: 'd1', topics: ['Fire', 'fire'] },
        { id: 'd2', topics: ['fire'] },
        { id: 'd3', topics: [] },
      ]),
    ).toEqual([{ topic: 'fire', developments: 2 }]);
  });

  it('is empty when no development has a topic', () => {
    expect(topicCountsOf([{ id: 'd1', topics: [] }])).toEqual([]);
  });
});
