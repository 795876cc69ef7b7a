// Package fsutil is the file-system layer under the checkpoint's local
// storage: an FS interface holding every file operation it performs, the OS
// implementation, the one durable-write recipe, and two FS implementations
// for tests — FaultFS, which fails chosen calls, and CrashFS, which simulates
// a power cut.
//
// The durable-write recipe (WriteAtomic, WriteFile, CreateFile):
//
//  1. write the content to a temp file in the target's directory,
//     ".<name>.tmp-<16 random hex digits>";
//  2. fsync the temp file and close it;
//  3. publish it: rename it over the target (Replace), or hard-link it to the
//     target, which fails with EEXIST if the name is taken, and remove the
//     temp name (NoReplace — the create-exclusive used for log entries);
//  4. fsync the directory, so the new name survives a power cut.
//
// Readers therefore see the old file or the new one, never a mix; a crash
// leaves the old file or the new one plus, at worst, a temp file that
// RemoveStaleTemps deletes on the next open. New directories are made
// durable with MkdirAllSync (each created directory's parent is fsynced).
//
//	err := fsutil.CreateFile(fsutil.OS, "/ck/offsets/7", entry)
//	if errors.Is(err, fs.ErrExist) { /* another writer won */ }
//
// Testing with faults and power cuts:
//
//	c := fsutil.NewCrashFS()
//	f := fsutil.NewFaultFS(c)
//	f.Inject(fsutil.FailFrom(5, nil)) // the process dies before its 5th call
//	err := fsutil.WriteFile(f, "/ck/metadata", data)
//	c.Crash()                         // keep only what was fsynced
//
// Everything here is safe for concurrent use; the recipe holds no locks of
// its own, so concurrent writers of one name are decided by the file system
// (the rename that lands last wins; exactly one link succeeds).
package fsutil
