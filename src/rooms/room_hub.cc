#include "rooms/room_hub.h"
