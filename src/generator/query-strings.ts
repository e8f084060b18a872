/**
 * Pre-built query strings (percent-encoded as browsers send them) for the generator's paths:
 * search terms with non-ASCII and reserved characters, campaign tags, paging and API filters.
 */
import type { Prng } from './prng.js';

const TERMS = [
  'running shoes', 'café au lait', 'größe 42', '日本 茶', 'naïve art', 't-shirt', '100% cotton', 'a&b socks',
  'c++ book', 'ñandú', 'winter jacket', 'usb-c cable', 'rain coat', 'gift card', 'lamp', 'jeans 32/34',
  'kids boots', 'yoga mat', 'espresso', 'sale', 'backpack', 'smart watch', 'crème brûlée set', 'desk "oak"',
];
const CATEGORIES = ['shoes', 'outdoor', 'kitchen', 'books', 'electronics', 'kids', 'garden', 'sale'];
const CAMPAIGNS = ['black_friday', 'newsletter-2026-11', 'retargeting', 'brand', 'winter%20sale'];
const SOURCES = ['google', 'facebook', 'newsletter', 'instagram', 'bing'];
const SORTS = ['price_asc', 'price_desc', 'newest', 'relevance', 'rating'];

/** Encodes a search term like a browser form: spaces as `+` or `%20`, the rest percent-encoded. */
const encodeTerm = (term: string, plus: boolean): string =>
  encodeURIComponent(term).replace(/%20/g, plus ? '+' : '%20');

const token = (rng: Prng, len: number): string => {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
  let s = '';
  for (let i = 0; i < len; i++) s += abc[rng.int(abc.length)]!;
  return s;
};

/** Query-string pools by use; each entry is the text after `?`. */
export interface QueryPools {
  readonly search: readonly string[];
  readonly listing: readonly string[];
  readonly campaign: readonly string[];
  readonly apiFilter: readonly string[];
}

/** Builds the pools deterministically from `rng` (a few hundred strings in all). */
export function createQueryPools(rng: Prng): QueryPools {
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
  const search: string[] = [];
  for (let i = 0; i < 160; i++) {
    let q = 'q=' + encodeTerm(pick(TERMS), rng.next() < 0.6);
    if (rng.next() < 0.3) q += '&page=' + (2 + rng.int(9));
    if (rng.next() < 0.2) q += '&sort=' + pick(SORTS);
    search.push(q);
  }
  const listing: string[] = [];
  for (let i = 0; i < 80; i++) {
    let q = 'page=' + (1 + rng.int(20));
    if (rng.next() < 0.5) q += '&sort=' + pick(SORTS);
    if (rng.next() < 0.3) q += '&color=' + pick(['black', 'blue', 'r%C3%B6d', 'navy%2Fwhite']);
    listing.push(q);
  }
  const campaign: string[] = [];
  for (let i = 0; i < 80; i++) {
    const r = rng.next();
    if (r < 0.6) campaign.push(`utm_source=${pick(SOURCES)}&utm_medium=${pick(['cpc', 'email', 'social'])}&utm_campaign=${pick(CAMPAIGNS)}`);
    else if (r < 0.8) campaign.push('gclid=' + token(rng, 40));
    else campaign.push('fbclid=' + token(rng, 60));
  }
  const apiFilter: string[] = [];
  for (let i = 0; i < 80; i++) {
    let q = 'category=' + pick(CATEGORIES) + '&limit=' + pick(['20', '50', '100']);
    if (rng.next() < 0.4) q += '&fields=id%2Cname%2Cprice';
    if (rng.next() < 0.3) q += '&min_price=' + rng.int(50) + '&max_price=' + (50 + rng.int(500));
    if (rng.next() < 0.2) q += '&cursor=' + token(rng, 24);
    apiFilter.push(q);
  }
  return { search, listing, campaign, apiFilter };
}
