// What a media item may hold, checked by one piece of code for every catalog write (createMedia and
// updateMedia), and who sees items that are not READY.
import { util } from '@aws-appsync/utils';

import { cdnUrl } from './cdn.js';

const MAX_TITLE = 200;
const MAX_DESCRIPTION = 5000;
const MAX_DURATION = 86400;

const VALIDATORS = {
  title: validTitle,
  description: validDescription,
  durationSeconds: validDuration,
  premium: validPremium,
};

// The media fields `input` sends, validated and normalized: those present in `input` (an update sends only
// what it changes) plus the `required` ones. Other keys, such as an update's id, are not media fields.
export function validateMediaInput(input, required) {
  const fields = {};
  for (const [field, valid] of Object.entries(VALIDATORS)) {
    if (Object.hasOwn(input, field) || required.includes(field)) {
      fields[field] = valid(input[field]);
    }
  }
  return fields;
}

// A media item as clients see it: its poster's URL made from the media distribution's (ctx.env.MEDIA_CDN_URL)
// and the poster's key; an item stored with a URL before keys were kept shows that URL.
export function shownMedia(ctx, item) {
  if (!item || !item.posterKey) {
    return item;
  }
  return { ...item, thumbnailUrl: cdnUrl(ctx.env.MEDIA_CDN_URL, item.posterKey) };
}

// Members of `admins` see the whole catalog; everyone else only READY items.
export function isAdmin(ctx) {
  return (ctx.identity?.groups ?? []).includes('admins');
}

export function visibleTo(ctx, item) {
  return !!item && (item.status === 'READY' || isAdmin(ctx));
}

// The result of a write conditional on `attribute_exists(#id)` on media item `id`.
export function existingMediaWritten(ctx, id) {
  if (ctx.error) {
    if (ctx.error.type === 'DynamoDB:ConditionalCheckFailedException') {
      util.error(`Media '${id}' not found`, 'NotFoundError');
    }
    util.error(ctx.error.message, ctx.error.type);
  }
  if (!ctx.result) {
    util.error(`Media '${id}' not found`, 'NotFoundError');
  }
  return ctx.result;
}

export const itemExists = { expression: 'attribute_exists(#id)', expressionNames: { '#id': 'id' } };

function validTitle(title) {
  const trimmed = (title ?? '').trim();
  if (trimmed.length === 0 || trimmed.length > MAX_TITLE) {
    util.error(`title must be 1 to ${MAX_TITLE} characters`, 'ValidationError');
  }
  return trimmed;
}

// null (or blank) means no description.
function validDescription(description) {
  const trimmed = (description ?? '').trim();
  if (trimmed.length > MAX_DESCRIPTION) {
    util.error(`description must be at most ${MAX_DESCRIPTION} characters`, 'ValidationError');
  }
  return trimmed.length === 0 ? null : trimmed;
}

function validDuration(seconds) {
  if (seconds == null) {
    return null;
  }
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_DURATION) {
    util.error(`durationSeconds must be 0 to ${MAX_DURATION}`, 'ValidationError');
  }
  return seconds;
}

// A new item is premium unless it says otherwise; an update may not clear the flag.
function validPremium(premium) {
  if (premium === undefined) {
    return true;
  }
  if (premium !== true && premium !== false) {
    util.error('premium must be true or false', 'ValidationError');
  }
  return premium;
}
