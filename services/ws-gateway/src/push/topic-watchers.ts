/** Which connections watch each topic, so an update reaches its watchers without a scan of every connection. */
export class TopicWatchers<C> {
  private readonly byTopic = new Map<string, Set<C>>();

  add(topics: readonly string[], connection: C): void {
    for (const topic of topics) {
      let watchers = this.byTopic.get(topic);
      if (watchers === undefined) this.byTopic.set(topic, (watchers = new Set()));
      watchers.add(connection);
    }
  }

  remove(topics: readonly string[], connection: C): void {
    for (const topic of topics) {
      const watchers = this.byTopic.get(topic);
      if (watchers === undefined) continue;
      watchers.delete(connection);
      if (watchers.size === 0) this.byTopic.delete(topic);
    }
  }

  of(topic: string): ReadonlySet<C> | undefined {
    return this.byTopic.get(topic);
  }
}
