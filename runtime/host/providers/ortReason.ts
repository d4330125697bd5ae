// onnxruntime's errors carry source paths and C++ template signatures; keep what a user can act on.
export const ortReason = (message: string): string => {
  const cuda = /CUDA failure (\d+): ([^;]*);.*?expr=([^;]*);/s.exec(message);
  if (cuda) return `CUDA failure ${cuda[1]}: ${cuda[2].trim()} (at ${cuda[3].trim()})`;
  const lib = /Failed to load library (\S+) with error: ([^\n]*)/.exec(message);
  if (lib) return `cannot load ${lib[1].split('/').pop()}: ${lib[2].trim()}`;
  // ORT_ENFORCE failures: "<path>:<line> <signature> <condition> was false. <message>".
  const enforce = /was false\. (.*)$/.exec(message.split('\n')[0]);
  const first = (enforce ? enforce[1] : message.split('\n')[0].replace(/^(\/\S+:\d+ \S.*?\] )+/, '')).trim();
  return first.length > 300 ? `${first.slice(0, 297)}...` : first;
};
