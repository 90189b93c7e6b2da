/** The 50 generated graphs (generatedGraphs.ts) against Go 1.23. */
import { describeGeneratedGraphs } from './generatedGraphs.js';

describeGeneratedGraphs('1.23');
