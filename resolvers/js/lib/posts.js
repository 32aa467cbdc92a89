// What a post may hold, checked by one piece of code for every write (createPost and updatePost).
import { util } from '@aws-appsync/utils';

import { cdnUrl } from './cdn.js';

const MAX_TITLE = 200;
const MAX_BODY = 50000;
const MAX_TAGS = 10;
const MAX_TAG = 40;

const VALIDATORS = {
  title: validTitle,
  body: validBody,
  tags: validTags,
  photoUrl: (url) => url ?? null,
};

// NUL and the bidirectional embedding, override and isolate controls (text displayed in another order than
// stored: "Trojan Source"); the same list is in resolvers/todos/domain/validation.py.
const FORBIDDEN_CHARACTERS = {
  '\u0000': 'U+0000',
  '\u202A': 'U+202A',
  '\u202B': 'U+202B',
  '\u202C': 'U+202C',
  '\u202D': 'U+202D',
  '\u202E': 'U+202E',
  '\u2066': 'U+2066',
  '\u2067': 'U+2067',
  '\u2068': 'U+2068',
  '\u2069': 'U+2069',
};

// The post fields `input` sends, validated and normalized: those present in `input` (an update sends only
// what it changes) plus the `required` ones (a new post has a title, a body and tags). Other keys, such as
// an update's id, are not post fields.
// null tags mean no tags, on a new post as on an update (which then removes every tag): UpdatePostInput.tags
// is nullable, and null is how a GraphQL client says "none" (as photoUrl: null removes the photo).
export function validatePostInput(input, required) {
  const fields = {};
  for (const [field, valid] of Object.entries(VALIDATORS)) {
    if (Object.hasOwn(input, field) || required.includes(field)) {
      fields[field] = valid(input[field]);
    }
  }
  return fields;
}

// A post as clients see it. An uploaded photo is kept as its keys (imageKey, thumbnails' keys) and shown through
// the photos' distribution (ctx.env.PHOTOS_CDN_URL), smallest thumbnail as thumbnailUrl; a photo given as a URL,
// or stored with its URLs before keys were kept, is shown as stored.
export function shownPost(ctx, post) {
  if (!post.imageKey) {
    return post;
  }
  const base = ctx.env.PHOTOS_CDN_URL;
  const thumbnails = (post.thumbnails ?? []).map(({ width, height, key }) => ({ width, height, url: cdnUrl(base, key) }));
  return {
    ...post,
    photoUrl: cdnUrl(base, post.imageKey),
    thumbnails,
    thumbnailUrl: thumbnails.length > 0 ? thumbnails[0].url : null,
  };
}

// Tags are stored trimmed and lower-case, so a tag filter finds a post however its tag was typed.
export function normalizeTag(tag) {
  return tag.trim().toLowerCase();
}

function validTitle(title) {
  const trimmed = (title ?? '').trim();
  if (trimmed.length === 0 || trimmed.length > MAX_TITLE) {
    util.error(`title must be 1 to ${MAX_TITLE} characters`, 'ValidationError');
  }
  return plainText(trimmed, 'title');
}

function validBody(body) {
  if (body == null || body.length > MAX_BODY) {
    util.error(`body must be at most ${MAX_BODY} characters`, 'ValidationError');
  }
  return plainText(body, 'body');
}

function plainText(text, field) {
  for (const [character, code] of Object.entries(FORBIDDEN_CHARACTERS)) {
    if (text.includes(character)) {
      util.error(
        `${field} must not contain NUL or bidirectional-override characters (U+202A-U+202E, U+2066-U+2069); found ${code} at position ${text.indexOf(character)}`,
        'ValidationError',
      );
    }
  }
  return text;
}

// Without repeats, at most MAX_TAGS.
function validTags(tags) {
  const out = [];
  for (const tag of tags ?? []) {
    const normalized = plainText(normalizeTag(tag), 'each tag');
    if (normalized.length === 0 || normalized.length > MAX_TAG) {
      util.error(`each tag must be 1 to ${MAX_TAG} characters`, 'ValidationError');
    }
    if (!out.includes(normalized)) {
      out.push(normalized);
    }
    if (out.length > MAX_TAGS) {
      util.error(`a post has at most ${MAX_TAGS} tags`, 'ValidationError');
    }
  }
  return out;
}

// The caller's user-pool `sub`, or null for any other caller: a post's author is a user-pool user, and a
// token of another issuer (OIDC) may carry any `sub`, even an author's, so it never counts as the author.
export function callerAuthorId(ctx) {
  return util.authType() === 'User Pool Authorization' ? ctx.identity.sub : null;
}
