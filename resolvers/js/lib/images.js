// What a finished photo upload may record on its post (attachPostImage), checked in one place.
import { util } from '@aws-appsync/utils';

const MAX_THUMBNAILS = 10;
const MAX_SIDE = 16384;
const MAX_ERROR = 500;
const MAX_KEY = 1024; // S3's longest key

// The post attributes `input` (an AttachPostImageInput) sets: READY sets the photo (the upload's key) and its
// thumbnails' keys (smallest first), whose URLs are made when the post is read (lib/posts.js shownPost);
// FAILED sets only the reason, so the previous photo stays.
export function imageOutcome(input) {
  if (input.status === 'READY') {
    const thumbnails = validThumbnails(input.thumbnails ?? []);
    return { imageStatus: 'READY', imageKey: input.photoKey, thumbnails };
  }
  if (input.status === 'FAILED') {
    const error = (input.error ?? '').trim();
    if (error.length === 0 || error.length > MAX_ERROR) {
      util.error(`a FAILED image has an error of 1 to ${MAX_ERROR} characters`, 'ValidationError');
    }
    return { imageStatus: 'FAILED', imageError: error };
  }
  return util.error('status must be READY or FAILED', 'ValidationError');
}

// 1 to MAX_THUMBNAILS sizes, smallest first.
function validThumbnails(thumbnails) {
  if (thumbnails.length === 0 || thumbnails.length > MAX_THUMBNAILS) {
    util.error(`a READY image has 1 to ${MAX_THUMBNAILS} thumbnails`, 'ValidationError');
  }
  for (const { width, height, key } of thumbnails) {
    if (!(width > 0 && width <= MAX_SIDE && height > 0 && height <= MAX_SIDE)) {
      util.error(`thumbnail sizes are 1 to ${MAX_SIDE} pixels`, 'ValidationError');
    }
    if (!key || key.length > MAX_KEY) {
      util.error(`a thumbnail's key is 1 to ${MAX_KEY} characters`, 'ValidationError');
    }
  }
  return thumbnails
    .map(({ width, height, key }) => ({ width, height, key }))
    .sort((a, b) => a.width - b.width);
}
