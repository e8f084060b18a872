/** The static API key of the serve benchmark (not a real key: the bench server accepts only this value). */
export const BENCH_KEY = 'trb_benchbench01_benchkeyvaluebenchkeyvaluebenchkeyval';
