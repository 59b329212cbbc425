// The ratelimit area's public exports; filled in by its issue.
export {};
