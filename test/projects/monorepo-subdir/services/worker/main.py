import redis


def main():
    queue = redis.Redis.from_url("redis://localhost:6379/0")
    print("worker ready", queue)


if __name__ == "__main__":
    main()
