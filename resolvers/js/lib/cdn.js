// Public URLs of objects a CloudFront distribution serves. Items keep the object's key, and resolvers make the
// URL as they read the item from the distribution's base URL in the API's environment (ctx.env), so a stored
// item stays right when the distribution gets another domain, or locally another port.
export function cdnUrl(base, key) {
  const path = key.split('/').map((segment) => encodeURIComponent(segment)).join('/');
  return `${base.endsWith('/') ? base.slice(0, -1) : base}/${path}`;
}
