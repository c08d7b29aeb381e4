// The GPU check bundle leaves the run store out (bench --skip-store): better-sqlite3 is never opened.
export default class Database {
  constructor() {
    throw new Error('better-sqlite3 is not in the GPU check bundle (run the bench with --skip-store)')
  }
}
