/** The 50 generated graphs (generatedGraphs.ts) against Go 1.26. */
import { describeGeneratedGraphs } from './generatedGraphs.js';

describeGeneratedGraphs('1.26');
