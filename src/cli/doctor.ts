/**
 * `gobundle doctor [<go.mod | go.work | dir>] [--probe N] [--json]`: what
 * stands between this machine and a working pack. Read-only and bounded in
 * time. Exit 0 when pack would work, 1 when it would not, 2 on usage.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { formatReport } from '../doctor/formatReport.js';
import { DEFAULT_DOCTOR_DEADLINE_MS, DEFAULT_DOCTOR_REQUEST_TIMEOUT_MS, runDoctor } from '../doctor/runDoctor.js';
import { parseDurationOption } from './durationOption.js';
import type { CliIO } from './io.js';
import { declareCommand } from './commandIndex.js';
import { vulnDbSetting } from './vulnDbSetting.js';
import { PackWouldFailError } from '../doctor/verdicts.js';

interface DoctorCliOptions {
  probe?: string;
  json?: boolean;
  timeout?: string;
  deadline?: string;
  vulndb?: string | false;
}

export function registerDoctor(program: Command, io: CliIO): void {
  declareCommand(program, 'doctor')
    .argument('[gomod]', 'a go.mod or go.work file, or its directory (default: the working directory, if it has one)')
    .option('--probe <n>', 'also send N requests to each proxy: latency percentiles, failure rate, and a suggested GOPROXY')
    .option('--json', 'print the report as JSON')
    .option('--timeout <duration>', `how long each request may take (default ${DEFAULT_DOCTOR_REQUEST_TIMEOUT_MS / 1000}s)`)
    .option('--deadline <duration>', `how long the whole run may take (default ${DEFAULT_DOCTOR_DEADLINE_MS / 1000}s)`)
    .option('--vulndb <url>', 'the vulnerability database to check (default $GOVULNDB, else https://vuln.go.dev), as pack --vulndb')
    .option('--no-vulndb', 'do not check a vulnerability database, as pack --no-vulndb')
    .action(async (gomod: string | undefined, options: DoctorCliOptions) => {
      let probeCount: number | undefined;
      if (options.probe !== undefined) {
        probeCount = Number(options.probe);
        if (!Number.isInteger(probeCount) || probeCount < 1 || probeCount > 10_000) {
          throw new UsageError(`doctor: --probe ${JSON.stringify(options.probe)}: want a number of requests from 1 to 10000`);
        }
      }
      const requestTimeoutMs = options.timeout === undefined ? undefined : parseDurationOption('doctor: --timeout', options.timeout);
      const deadlineMs = options.deadline === undefined ? undefined : parseDurationOption('doctor: --deadline', options.deadline);
      const vulndb = vulnDbSetting(options.vulndb, io.env, 'doctor');
      const report = await runDoctor({
        env: io.env,
        cwd: io.cwd,
        ...(gomod === undefined ? {} : { input: gomod }),
        vulndb,
        ...(probeCount === undefined ? {} : { probeCount }),
        ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
        ...(deadlineMs === undefined ? {} : { deadlineMs }),
      });
      io.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
      if (!report.packWouldWork) throw new PackWouldFailError();
    });
}
