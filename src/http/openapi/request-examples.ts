/*
 * Request bodies from the seed article (src/seed/data), as the API docs show them; a test posts each
 * in order to a fresh app and expects 201, so an example the API refuses cannot stay here.
 */

const PUBLICATION = {
  title: "US confirms North Korea has sent troops to Russia as Kremlin dismisses 'fake news'",
  url: 'https://www.independent.co.uk/news/world/asia/north-korea-troops-russia-ukraine-war-b2634503.html',
  publishedAt: '2024-10-24',
};

export const REGISTER_SOURCE_EXAMPLES = {
  intelligence: {
    summary: 'an intelligence service, one origin with its government',
    value: { id: 'sk-nis', name: "South Korea's National Intelligence Service (NIS)", kind: 'intelligence', country: 'KR', affiliation: 'kr-government' },
  },
  person: {
    summary: 'a head of state, with a reliability grade',
    value: { id: 'zelensky', name: 'Volodymyr Zelensky', kind: 'government', country: 'UA', reliability: 'C' },
  },
};

export const RECORD_DEVELOPMENT_EXAMPLES = {
  withQuantity: {
    summary: 'a development and the claim it was first reported in',
    value: {
      id: 'north-korea-prepares-soldiers-to-join-russian-forces',
      title: 'North Korea prepares about 10,000 soldiers to join Russian forces',
      category: 'military',
      occurred: { edtf: '../2024-10-20', label: 'under way when Zelensky spoke, last week' },
      location: 'North Korea',
      actors: ['North Korea', 'Russia'],
      topics: ['north-korea-russia', 'troops', 'preparation'],
      claim: {
        sourceId: 'zelensky',
        stance: 'asserts',
        reportedAt: '2024-10-20',
        quantity: { measure: 'in-preparation', unit: 'troops', value: 10000, qualifier: 'about' },
        quote: 'They are preparing on their land 10,000 soldiers but they didn’t move them already to Ukraine or to Russia',
        publication: PUBLICATION,
      },
    },
  },
};

/** Claims on the development of {@link RECORD_DEVELOPMENT_EXAMPLES}. */
export const REPORT_CLAIM_EXAMPLES = {
  range: {
    summary: 'a figure given as a range',
    value: {
      sourceId: 'sk-nis',
      stance: 'asserts',
      reportedAt: '2024-10-23',
      quantity: { measure: 'in-preparation', unit: 'troops', min: 1500, max: 12000, qualifier: 'range' },
      publication: PUBLICATION,
    },
  },
  assessment: {
    summary: 'an assessment, in ICD 203 likelihood words, relayed by other sources',
    value: { sourceId: 'sk-nis', stance: 'assesses', likelihood: 'likely', reportedAt: '2024-10-24', via: ['zelensky'] },
  },
};
