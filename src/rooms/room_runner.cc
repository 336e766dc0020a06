#include "rooms/room_runner.h"
