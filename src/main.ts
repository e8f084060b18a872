#!/usr/bin/env node
/** The `tributary` executable: hands argv to the CLI and exits with the error family's code. */
import { main } from './cli/program.js';

// Everything Tributary writes (control store, archives, lake, warehouse, logs) is private to its
// user and group, whatever the shell's umask: files 0640 or stricter, directories 0750 or stricter.
process.umask(process.umask() | 0o027);

process.exitCode = await main(process.argv);
