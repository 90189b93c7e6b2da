/** The parts of an OSV entry (ossf.github.io/osv-schema) the Go vulnerability database uses and gobundle reads, as golang/vuln internal/osv has them. */

export interface OsvEvent {
  introduced?: string;
  fixed?: string;
}

export interface OsvRange {
  type: string;
  events: OsvEvent[];
}

export interface OsvAffected {
  /** The module path (OSV calls the field "package"). */
  module: string;
  ranges: OsvRange[];
}

export interface OsvEntry {
  id: string;
  modified: string;
  withdrawn: string | undefined;
  aliases: string[];
  summary: string;
  affected: OsvAffected[];
}
