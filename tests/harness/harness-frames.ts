/** The harness bridge's WebSocket frames: page -> harness calls, harness -> page answers and events. */
export type HarnessClientFrame = {
  type: 'invoke';
  id: number;
  channel: string;
  request: unknown;
};

export type HarnessServerFrame =
  | { type: 'result'; id: number; result: unknown }
  | { type: 'event'; channel: string; payload: unknown };
