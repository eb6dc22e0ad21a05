import { developmentDecider } from '../../domain/development/development.decider';
import { developmentStreamId } from '../../domain/development/development.events';
import { sourceDecider } from '../../domain/source/source.decider';
import { sourceStreamId } from '../../domain/source/source.events';

/** A development's stream: its claims, retractions and corrections. */
export const developmentStreams = { streamId: developmentStreamId, decider: developmentDecider };

/** A source's stream: its registration and its ratings. */
export const sourceStreams = { streamId: sourceStreamId, decider: sourceDecider };
