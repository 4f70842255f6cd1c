// postject ships no types; this is the one function the build uses.
declare module 'postject' {
  function inject(
    filename: string,
    resourceName: string,
    resourceData: Buffer,
    options?: { sentinelFuse?: string; machoSegmentName?: string; overwrite?: boolean },
  ): Promise<void>;
  const postject: { inject: typeof inject };
  export default postject;
}
