#!/usr/bin/env node
/** The `tributary` executable: hands argv to the CLI and exits with the error family's code. */
import { main } from './cli/program.js';

process.exitCode = await main(process.argv);
