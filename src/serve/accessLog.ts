/** One access-log line per request, as text or as a JSON object (one per line). */
export interface AccessLogEntry {
  time: string;
  remote: string;
  method: string;
  path: string;
  status: number;
  bytes: number;
  ms: number;
}

export type AccessLogFormat = 'text' | 'json';

export function formatAccessLog(e: AccessLogEntry, format: AccessLogFormat): string {
  if (format === 'json') return `${JSON.stringify(e)}\n`;
  return `${e.time} ${e.remote} "${e.method} ${e.path}" ${e.status} ${e.bytes} ${e.ms.toFixed(1)}ms\n`;
}
